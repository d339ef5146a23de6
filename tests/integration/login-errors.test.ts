import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accountReaches, startCore, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'

let server: ProsodyServer
const cores: TestCore[] = []

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }] })
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

describe('login errors are clear and final until the user acts', () => {
  it('a wrong password gives an auth-failed error and no retry loop', async () => {
    const test = await newCore(true)
    const failed = test.next('accounts:changed', (a) => a.state === 'error')
    const account = await test.core.request('accounts:add', { jid: 'alice@localhost', password: 'wrong-password', host: server.host, port: server.port })
    const errored = await failed
    expect(errored.error).toMatchObject({ code: 'auth-failed' })
    expect(errored.error?.message).toMatch(/wrong address or password/u)

    // Fixing the password reconnects.
    const online = accountReaches(test, account.id, (a) => a.state === 'online')
    await test.core.request('accounts:update', { accountId: account.id, password: 'alice-pw' })
    await online
    const attempts = test.seen.filter((e) => e.event === 'accounts:changed' && (e.payload as { state: string }).state === 'connecting')
    expect(attempts).toHaveLength(2) // the first try and the one after the fix; none in between
  })

  it("an unknown CA is refused with the certificate's fingerprint; pinning exactly that one connects, also after a restart", async () => {
    const serverCertificate = new X509Certificate(await readFile(join(server.dataDir, '..', 'server.pem')))
    const test = await newCore(false)
    const refused = test.next('accounts:changed', (a) => a.state === 'error')
    const account = await test.core.request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: server.host, port: server.port })
    const error = await refused
    expect(error.error?.code).toBe('tls-untrusted')
    expect(error.untrustedCertificate?.fingerprint).toBe(serverCertificate.fingerprint256)
    expect(error.untrustedCertificate?.subject).toContain('localhost')

    const wrong = await test.core.call('accounts:trustCertificate', { accountId: account.id, fingerprint: '00:'.repeat(31) + '00' })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'conflict' } })

    const online = accountReaches(test, account.id, (a) => a.state === 'online')
    const pinned = await test.core.request('accounts:trustCertificate', { accountId: account.id, fingerprint: serverCertificate.fingerprint256 })
    expect(pinned.pinnedFingerprint).toBe(serverCertificate.fingerprint256)
    await online

    const { dataDir, key } = test
    await test.core.close()
    const reopened = await startCore(null, { dataDir, key })
    cores.push(reopened)
    await accountReaches(reopened, account.id, (a) => a.state === 'online')
  })

  it('an unreachable server is reported as a network error and retried', async () => {
    const test = await newCore(true)
    const offline = test.next('accounts:changed', (a) => a.state === 'offline' && a.error?.code === 'network')
    await test.core.request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: '127.0.0.1', port: 1 })
    const reported = await offline
    expect(reported.error?.message).toMatch(/Cannot reach the server/u)
    await test.next('accounts:changed', (a) => a.state === 'connecting')
  })
})
