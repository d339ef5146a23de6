import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, createFixedKeyProvider, type Core } from '../index.ts'

let core: Core
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dispatch-test-'))
  core = await createCore({ dataDir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
})
afterAll(async () => {
  await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('contract validation (every payload is checked before the core sees it)', () => {
  it('rejects unknown and prototype-polluting method names', async () => {
    for (const method of ['accounts:hack', '__proto__', 'constructor', 'toString', 42, null, undefined]) {
      const result = await core.call(method, {})
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    }
  })

  it.each([
    ['accounts:add', { jid: 'not a jid', password: 'x' }],
    ['accounts:add', { jid: 'a@b', password: '' }],
    ['accounts:add', { jid: 'a@b', password: 'pw', port: 70000 }],
    ['accounts:add', { jid: 'a@b', password: 'pw', extra: 'field' }],
    ['accounts:add', { jid: 'a@b', password: 'pw', host: 'evil host; rm -rf' }],
    ['accounts:add', null],
    ['accounts:add', 'a@b'],
    ['accounts:remove', { accountId: '1' }],
    ['accounts:remove', { accountId: -1 }],
    ['accounts:remove', { accountId: 1.5 }],
    ['accounts:trustCertificate', { accountId: 1, fingerprint: 'AA:BB' }],
    ['messages:send', { accountId: 1, to: 'b@c', body: '   ' }],
    ['messages:send', { accountId: 1, to: 'b@c', body: 'x'.repeat(70_000) }],
    ['messages:list', { accountId: 1, peer: 'b@c', limit: 100_000 }],
    ['app:unlock', { passphrase: 'short' }],
    ['app:state', { unexpected: true }],
    ['accounts:list', []],
    ['settings:setOmemo', { preKeyCount: 5 }],
    ['settings:setOmemo', { trustModel: 'trust-everyone' }],
    ['trust:setDevice', { accountId: 1, jid: 'b@c', deviceId: 0, trust: 'verified' }],
    ['trust:setDevice', { accountId: 1, jid: 'b@c', deviceId: 2 ** 31, trust: 'verified' }],
    ['trust:setDevice', { accountId: 1, jid: 'b@c', deviceId: 5, trust: 'undecided' }],
    ['accounts:list', [1, 2]],
  ])('rejects %s with %j as invalid-input', async (method, payload) => {
    const result = await core.call(method, payload)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-input')
      expect(result.error.message.length).toBeGreaterThan(0)
    }
  })

  it('changes nothing when a payload is rejected', async () => {
    await core.call('accounts:add', { jid: 'a@b', password: 'pw', port: 'x' })
    expect(await core.request('accounts:list', {})).toEqual([])
  })

  it('normalises valid input (trim, lower-case JID) and reports core errors with their code', async () => {
    const missing = await core.call('accounts:remove', { accountId: 99 })
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } })
    const state = await core.call('app:state', undefined)
    expect(state).toMatchObject({ ok: true, result: { phase: 'ready', keyProtection: 'keychain' } })
  })

  it('OMEMO settings: defaults, a partial change, and the change kept', async () => {
    expect(await core.request('settings:getOmemo', {})).toEqual({
      trustModel: 'btbv',
      preKeyCount: 100,
      signedPreKeyRotationDays: 7,
      repairSessions: true,
      inactiveDeviceDays: 0,
      fallbackBody: true,
    })
    const changed = await core.request('settings:setOmemo', { trustModel: 'manual', preKeyCount: 50 })
    expect(changed).toMatchObject({ trustModel: 'manual', preKeyCount: 50, repairSessions: true })
    expect(await core.request('settings:getOmemo', {})).toEqual(changed)
  })
})
