import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from './csp.ts'

describe('contentSecurityPolicy', () => {
  it('is the strict production policy by default', () => {
    expect(contentSecurityPolicy()).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
  })

  it('adds the bridge WebSocket to connect-src only', () => {
    const policy = contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:4321'] })
    expect(policy).toContain("connect-src 'self' ws://127.0.0.1:4321;")
    expect(policy.match(/ws:/gu)).toHaveLength(1)
  })

  it('leaves frame-ancestors out of a meta-tag policy (browsers ignore it there)', () => {
    expect(contentSecurityPolicy({ forMetaTag: true })).not.toContain('frame-ancestors')
  })

  it('never allows inline code, eval or remote hosts', () => {
    const policy = contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:1'] })
    expect(policy).not.toMatch(/unsafe-|\*|https?:/u)
  })

  it.each(["'self'; script-src *", 'ws://a b', "'unsafe-eval'", 'javascript:', '*', 'ws://127.0.0.1:1;'])(
    'refuses a connect source that could inject a directive: %s',
    (source) => {
      expect(() => contentSecurityPolicy({ connectSrc: [source] })).toThrow(/Not a CSP source/u)
    },
  )
})
