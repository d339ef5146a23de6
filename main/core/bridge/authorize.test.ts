import { describe, expect, it } from 'vitest'
import { authorizeUpgrade, createBridgeToken, tokensEqual } from './authorize.ts'

const token = createBridgeToken()
const port = 4321
const good = { url: `/bridge?token=${token}`, origin: 'http://127.0.0.1:4321', host: '127.0.0.1:4321' }

describe('authorizeUpgrade', () => {
  it('accepts our own origin with the token', () => {
    expect(authorizeUpgrade(good, { token, port })).toEqual({ ok: true })
  })

  it.each([
    [{ ...good, url: `/other?token=${token}` }, 404],
    [{ ...good, url: undefined }, 404],
    [{ ...good, host: 'localhost:4321' }, 403],
    [{ ...good, host: undefined }, 403],
    [{ ...good, origin: undefined }, 403],
    [{ ...good, origin: 'http://127.0.0.1:4322' }, 403],
    [{ ...good, origin: 'http://127.0.0.1:4321/' }, 403],
    [{ ...good, origin: 'null' }, 403],
    [{ ...good, url: '/bridge' }, 401],
    [{ ...good, url: '/bridge?token=' }, 401],
    [{ ...good, url: `/bridge?token=${token}&token=${token}` }, 401],
    [{ ...good, url: `/bridge?token=${token.toUpperCase()}` }, 401],
    [{ ...good, url: `/bridge?Token=${token}` }, 401],
  ])('refuses %o with %i', (request, status) => {
    expect(authorizeUpgrade(request, { token, port })).toMatchObject({ ok: false, status })
  })
})

describe('tokens', () => {
  it('are 32 random bytes in hex, different every time', () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/u)
    expect(createBridgeToken()).not.toBe(token)
  })

  it('compare exactly', () => {
    expect(tokensEqual(token, token)).toBe(true)
    expect(tokensEqual(token.slice(1), token)).toBe(false)
    expect(tokensEqual('', token)).toBe(false)
  })
})
