import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiError } from '../../preload/api.ts'
import { accountReaches, addOnlineAccount, startCore, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'

let server: ProsodyServer
let serverFingerprint: string
const cores: TestCore[] = []

beforeAll(async () => {
  server = await startProsody({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'carol', password: 'carol-pw' },
    ],
  })
  serverFingerprint = new X509Certificate(await readFile(join(server.dataDir, '..', 'server.pem'))).fingerprint256
})

afterAll(async () => {
  await Promise.all(cores.map((core) => core.close()))
  await server?.dispose()
})

async function newCore(trustTestCa: boolean): Promise<TestCore> {
  const core = await startCore(trustTestCa ? server : null)
  cores.push(core)
  return core
}

async function addFails(test: TestCore, params: { jid: string; password: string; host?: string; port?: number; certificateFingerprint?: string }): Promise<ApiError> {
  const result = await test.core.call('accounts:add', { host: server.host, port: server.port, ...params })
  if (result.ok) throw new Error(`accounts:add unexpectedly worked: ${JSON.stringify(result.result)}`)
  return result.error
}

/** Nothing was saved and no session ever started: no account, and not a single account event. */
async function expectNothingSaved(test: TestCore): Promise<void> {
  expect(await test.core.request('accounts:list', {})).toEqual([])
  expect(test.seen.filter((e) => e.event === 'accounts:changed')).toEqual([])
}

describe('adding an account logs in first and saves only what worked', () => {
  it('a wrong password is refused with auth-failed and nothing is saved', async () => {
    const test = await newCore(true)
    const error = await addFails(test, { jid: 'alice@localhost', password: 'wrong-password' })
    expect(error).toMatchObject({ code: 'auth-failed' })
    expect(error.message).toMatch(/wrong address or password/u)
    await expectNothingSaved(test)
  })

  it('an unreachable server is refused with network and nothing is saved', async () => {
    const test = await newCore(true)
    const error = await addFails(test, { jid: 'alice@localhost', password: 'alice-pw', host: '127.0.0.1', port: 1 })
    expect(error).toMatchObject({ code: 'network' })
    expect(error.message).toMatch(/Cannot reach the server/u)
    await expectNothingSaved(test)
  })

  it('the right password is saved and comes online', async () => {
    const test = await newCore(true)
    const online = test.next('accounts:changed', (a) => a.jid === 'alice@localhost' && a.state === 'online')
    const account = await test.core.request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: server.host, port: server.port })
    expect(account).toMatchObject({ jid: 'alice@localhost', pinnedFingerprint: null })
    await online
    expect((await test.core.request('accounts:list', {})).map((a) => [a.jid, a.state])).toEqual([['alice@localhost', 'online']])
  })

  it("an unknown CA is refused with the certificate's details; nothing is saved until exactly that one is confirmed, then it is pinned, also after a restart", async () => {
    const test = await newCore(false)
    const refused = await addFails(test, { jid: 'alice@localhost', password: 'alice-pw' })
    expect(refused.code).toBe('tls-untrusted')
    expect(refused.certificate?.fingerprint).toBe(serverFingerprint)
    expect(refused.certificate?.subject).toContain('localhost')
    await expectNothingSaved(test)

    // A fingerprint the server did not present pins nothing: the server's own is reported again.
    const otherFingerprint = '00:'.repeat(31) + '00'
    const mismatch = await addFails(test, { jid: 'alice@localhost', password: 'alice-pw', certificateFingerprint: otherFingerprint })
    expect(mismatch).toMatchObject({ code: 'tls-untrusted', certificate: { fingerprint: serverFingerprint } })
    // The certificate confirmed, but the password wrong: still nothing.
    const wrongPassword = await addFails(test, { jid: 'alice@localhost', password: 'nope', certificateFingerprint: serverFingerprint })
    expect(wrongPassword.code).toBe('auth-failed')
    await expectNothingSaved(test)

    const online = test.next('accounts:changed', (a) => a.jid === 'alice@localhost' && a.state === 'online')
    const account = await test.core.request('accounts:add', {
      jid: 'alice@localhost',
      password: 'alice-pw',
      host: server.host,
      port: server.port,
      certificateFingerprint: serverFingerprint,
    })
    expect(account.pinnedFingerprint).toBe(serverFingerprint)
    await online

    const { dataDir, key } = test
    await test.core.close()
    const reopened = await startCore(null, { dataDir, key })
    cores.push(reopened)
    await accountReaches(reopened, account.id, (a) => a.state === 'online')
  })

  it('an address that is already added is refused before any login', async () => {
    const test = await newCore(true)
    await addOnlineAccount(test, server, 'alice', 'alice-pw')
    expect(await addFails(test, { jid: 'alice@localhost', password: 'alice-pw' })).toMatchObject({ code: 'conflict' })
  })
})

describe('account settings save a new password, host or port only after a login with them worked', () => {
  it('a wrong new password is refused and the working one stays; the right one is saved', async () => {
    const test = await newCore(true)
    const account = await addOnlineAccount(test, server, 'bob', 'bob-pw')
    const before = test.seen.length

    const refused = await test.core.call('accounts:update', { accountId: account.id, password: 'wrong-password' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'auth-failed' } })
    const unreachable = await test.core.call('accounts:update', { accountId: account.id, host: '127.0.0.1', port: 1 })
    expect(unreachable).toMatchObject({ ok: false, error: { code: 'network' } })
    // The session was not touched, and the stored settings still log in (a restart uses them).
    expect(test.seen.slice(before).filter((e) => e.event === 'accounts:changed')).toEqual([])
    expect(await test.core.request('accounts:list', {})).toEqual([expect.objectContaining({ state: 'online', host: server.host, port: server.port })])
    const { dataDir, key } = test
    await test.core.close()
    const reopened = await startCore(server, { dataDir, key })
    cores.push(reopened)
    await accountReaches(reopened, account.id, (a) => a.state === 'online')

    // The same password again is a valid change: checked, saved, reconnected.
    const reconnected = accountReaches(reopened, account.id, (a) => a.state === 'online')
    const saved = await reopened.core.request('accounts:update', { accountId: account.id, password: 'bob-pw' })
    expect(saved.id).toBe(account.id)
    await reconnected
  })
})

describe('a running account whose login stops working', () => {
  it('reports auth-failed without a retry loop; Retry now tries at once; the new password brings it back', async () => {
    const test = await newCore(true)
    const account = await addOnlineAccount(test, server, 'carol', 'carol-pw')

    // The password is changed elsewhere while the app is connected; the next login fails.
    const failed = accountReaches(test, account.id, (a) => a.state === 'error')
    await server.stop()
    await server.register('carol', 'carol-new-pw')
    await server.start()
    const errored = await failed
    expect(errored.error).toMatchObject({ code: 'auth-failed' })
    const attemptsAfterError = () => test.seen.filter((e) => e.event === 'accounts:changed' && (e.payload as { state: string }).state === 'connecting').length
    const attempts = attemptsAfterError()

    // Retry now: a login attempt starts at once (not at a backoff step), and fails the same way.
    const failedAgain = accountReaches(test, account.id, (a) => a.state === 'error')
    const retried = await test.core.request('accounts:reconnect', { accountId: account.id })
    expect(retried.state).toBe('connecting')
    expect((await failedAgain).error?.code).toBe('auth-failed')
    expect(attemptsAfterError()).toBe(attempts + 1)

    const online = accountReaches(test, account.id, (a) => a.state === 'online')
    await test.core.request('accounts:update', { accountId: account.id, password: 'carol-new-pw' })
    await online
  })

  it('Retry now on an account waiting to reconnect connects immediately, with the backoff started over', async () => {
    const test = await newCore(true)
    const account = await addOnlineAccount(test, server, 'alice', 'alice-pw')
    const offline = accountReaches(test, account.id, (a) => a.state === 'offline' && a.error?.code === 'network')
    await server.stop()
    await offline
    await server.start()
    const online = accountReaches(test, account.id, (a) => a.state === 'online')
    const retried = await test.core.request('accounts:reconnect', { accountId: account.id })
    expect(retried.state).toBe('connecting')
    await online
  })
})
