import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, createPassphraseKeyProvider, type Core } from '../../main/core/index.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { nextEvent } from '../helpers/wait.ts'

let server: ProsodyServer
let dataDir: string
const PASSPHRASE = 'a long enough passphrase'

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  dataDir = await mkdtemp(join(tmpdir(), 'persistence-test-'))
})
afterAll(async () => {
  await server?.dispose()
  await rm(dataDir, { recursive: true, force: true })
})

const openApp = () => createCore({ dataDir, keyProvider: createPassphraseKeyProvider(dataDir), extraCaCertificates: [server.caPem] })
const until = (core: Core, match: (e: { event: string; payload: unknown }) => boolean) => nextEvent((l) => core.subscribe(l), match, 20_000)

describe('close and reopen the app: everything comes back from the encrypted database', () => {
  it('first run: a passphrase creates the database; accounts, roster and history are stored', async () => {
    const app = await openApp()
    expect(await app.request('app:state', {})).toEqual({ phase: 'locked', databaseExists: false, keyProtection: 'passphrase' })
    expect(await app.call('accounts:list', {})).toMatchObject({ ok: false, error: { code: 'locked' } })
    await app.request('app:unlock', { passphrase: PASSPHRASE })

    // Online and synced: the OMEMO device is published by then, so the message goes out encrypted.
    const isOnline = (jid: string) => (e: { event: string; payload: unknown }) => {
      const account = e.payload as { state: string; jid: string; lastSyncedAt: number | null }
      return e.event === 'accounts:changed' && account.state === 'online' && account.jid === jid && account.lastSyncedAt !== null
    }
    const bothOnline = Promise.all([until(app, isOnline('alice@localhost')), until(app, isOnline('bob@localhost'))])
    const alice = await app.request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: server.host, port: server.port })
    const bob = await app.request('accounts:add', { jid: 'Bob@LocalHost', password: 'bob-pw', host: server.host, port: server.port })
    expect(bob.jid).toBe('bob@localhost')
    await bothOnline

    await app.request('roster:add', { accountId: alice.id, jid: 'bob@localhost', name: 'Bobby' })
    const arrived = until(app, (e) => e.event === 'messages:received' && (e.payload as { accountId: number; body: string }).accountId === bob.id)
    expect(await app.request('messages:send', { accountId: alice.id, to: 'bob@localhost', body: 'remember me' })).toMatchObject({ encryption: 'omemo' })
    await arrived
    await app.close()
  })

  it('a wrong passphrase is refused clearly and changes nothing on disk', async () => {
    const before = await readFile(join(dataDir, 'messenger.db'))
    const app = await openApp()
    expect(await app.request('app:state', {})).toMatchObject({ phase: 'locked', databaseExists: true })
    const wrong = await app.call('app:unlock', { passphrase: 'not the passphrase' })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } })
    expect(Buffer.compare(before, await readFile(join(dataDir, 'messenger.db')))).toBe(0)
    expect(await app.request('app:state', {})).toMatchObject({ phase: 'locked' })
    await app.close()
  })

  it('the right passphrase brings back accounts, roster and history, and reconnects', async () => {
    const app = await openApp()
    const reconnected = until(app, (e) => e.event === 'accounts:changed' && (e.payload as { state: string }).state === 'online')
    await app.request('app:unlock', { passphrase: PASSPHRASE })
    const accounts = await app.request('accounts:list', {})
    expect(accounts.map((a) => a.jid)).toEqual(['alice@localhost', 'bob@localhost'])
    expect(JSON.stringify(accounts)).not.toContain('alice-pw')
    const [alice, bob] = accounts as [(typeof accounts)[0], (typeof accounts)[0]]
    expect(await app.request('roster:list', { accountId: alice.id })).toContainEqual(expect.objectContaining({ jid: 'bob@localhost', name: 'Bobby' }))
    expect((await app.request('messages:list', { accountId: alice.id, peer: 'bob@localhost' })).map((m) => m.body)).toEqual(['remember me'])
    expect((await app.request('messages:list', { accountId: bob.id, peer: 'alice@localhost' })).map((m) => m.body)).toEqual(['remember me'])
    expect(await app.request('conversations:list', { accountId: bob.id })).toEqual([expect.objectContaining({ peer: 'alice@localhost', unread: 1 })])
    await reconnected
    await app.close()
  })
})
