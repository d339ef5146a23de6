import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { openDatabase, type Db } from '../../main/core/store/db.ts'
import { accountReaches, addOnlineAccount, messageArrives, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'

/**
 * "The ratchet step and the stored message commit together or not at all" (ARCHITECTURE.md), proven
 * deterministically: a real storage fault (a trigger in alice's real SQLCipher database, added through a second
 * connection) makes one half of the commit fail, and the other half must not have happened. Bob has two devices so
 * that a message from his second device tells when alice has handled the first device's message, without touching
 * the session under test.
 */

let server: ProsodyServer
let alice: TestCore
let bobDesk: TestCore
let bobPhone: TestCore
let aliceAccount: AccountDto
let bobDeskAccount: AccountDto
let bobPhoneAccount: AccountDto
let bobDeskDevice: number
let aliceDb: Db

const history = (test: TestCore, account: AccountDto, peer: string) => test.core.request('messages:list', { accountId: account.id, peer, limit: 500 })
const send = (test: TestCore, account: AccountDto, to: string, body: string) => test.core.request('messages:send', { accountId: account.id, to, body })
const sessionWithBobDesk = () =>
  (aliceDb.prepare('SELECT record FROM omemo_sessions WHERE jid = ? AND device_id = ?').get('bob@localhost', bobDeskDevice) as { record: string } | undefined)?.record

function injectFault(sql: string): void {
  aliceDb.exec(`CREATE TRIGGER injected_fault ${sql} BEGIN SELECT RAISE(ABORT, 'injected storage fault'); END`)
}
const removeFault = () => aliceDb.exec('DROP TRIGGER IF EXISTS injected_fault')

/** Alice's account goes offline and back: the catch-up fetches what she could not store from the archive. */
async function reconnectAlice(): Promise<void> {
  const previous = (await alice.core.request('accounts:list', {}))[0]!.lastSyncedAt ?? 0
  await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })
  const synced = accountReaches(alice, aliceAccount.id, (a) => a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) > previous)
  await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
  await synced
}

/** Bob's phone writes; once alice has it, she has handled everything bob's desk sent before (one stream, in order). */
async function barrier(label: string): Promise<void> {
  const arrives = messageArrives(alice, (m) => m.body === label)
  await send(bobPhone, bobPhoneAccount, 'alice@localhost', label)
  await arrives
}

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  alice = await startCore(server)
  bobDesk = await startCore(server)
  bobPhone = await startCore(server)
  aliceAccount = await addOnlineAccount(alice, server, 'alice', 'alice-pw')
  bobDeskAccount = await addOnlineAccount(bobDesk, server, 'bob', 'bob-pw')
  bobPhoneAccount = await addOnlineAccount(bobPhone, server, 'bob', 'bob-pw')
  bobDeskDevice = (await bobDesk.core.request('omemo:ownDevice', { accountId: bobDeskAccount.id })).deviceId
  aliceDb = openDatabase(join(alice.dataDir, 'messenger.db'), alice.key)
  // Sessions both ways between alice and each of bob's devices, confirmed (no prekey messages left pending).
  for (const [test, account, label] of [[bobDesk, bobDeskAccount, 'desk'], [bobPhone, bobPhoneAccount, 'phone']] as const) {
    const atAlice = messageArrives(alice, (m) => m.body === `hello from bob's ${label}`)
    await send(test, account, 'alice@localhost', `hello from bob's ${label}`)
    await atAlice
  }
  const atDesk = messageArrives(bobDesk, (m) => m.body === 'hello bob')
  await send(alice, aliceAccount, 'bob@localhost', 'hello bob')
  await atDesk
})

afterAll(async () => {
  removeFault()
  aliceDb?.close()
  await stopAll(server, alice, bobDesk, bobPhone)
})

describe('an OMEMO ratchet step and its message commit together or not at all', () => {
  it('receiving: the message cannot be stored → the session does not advance, and the message decrypts on retry', async () => {
    const before = sessionWithBobDesk()
    injectFault("BEFORE INSERT ON messages WHEN NEW.body = 'cannot be stored yet'")
    await send(bobDesk, bobDeskAccount, 'alice@localhost', 'cannot be stored yet')
    await barrier('barrier one')
    expect(sessionWithBobDesk()).toBe(before)
    expect((await history(alice, aliceAccount, 'bob@localhost')).filter((m) => m.body === 'cannot be stored yet' || m.undecryptable)).toEqual([])

    removeFault()
    await reconnectAlice()
    const stored = (await history(alice, aliceAccount, 'bob@localhost')).filter((m) => m.body === 'cannot be stored yet')
    expect(stored).toEqual([expect.objectContaining({ encryption: 'omemo', undecryptable: null, sender: expect.objectContaining({ deviceId: bobDeskDevice }) })])
    expect(sessionWithBobDesk()).not.toBe(before)
  })

  it('receiving: the ratchet step cannot be stored → the message is not stored either, and it decrypts on retry', async () => {
    const before = sessionWithBobDesk()
    injectFault(`BEFORE UPDATE ON omemo_sessions WHEN OLD.jid = 'bob@localhost' AND OLD.device_id = ${bobDeskDevice}`)
    await send(bobDesk, bobDeskAccount, 'alice@localhost', 'ratchet not stored yet')
    await barrier('barrier two')
    removeFault()
    expect(sessionWithBobDesk()).toBe(before)
    expect((await history(alice, aliceAccount, 'bob@localhost')).filter((m) => m.body === 'ratchet not stored yet')).toEqual([])

    await reconnectAlice()
    const stored = (await history(alice, aliceAccount, 'bob@localhost')).filter((m) => m.body === 'ratchet not stored yet' || m.undecryptable)
    expect(stored).toEqual([expect.objectContaining({ body: 'ratchet not stored yet', undecryptable: null })])
  })

  it('sending: the ratchet step cannot be stored → no message is stored or sent; sending again reaches bob once', async () => {
    const before = sessionWithBobDesk()
    const storedBefore = (await history(alice, aliceAccount, 'bob@localhost')).length
    injectFault(`BEFORE UPDATE ON omemo_sessions WHEN OLD.jid = 'bob@localhost' AND OLD.device_id = ${bobDeskDevice}`)
    const refused = await alice.core.call('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'first attempt' })
    removeFault()
    expect(refused.ok).toBe(false)
    expect(sessionWithBobDesk()).toBe(before)
    expect(await history(alice, aliceAccount, 'bob@localhost')).toHaveLength(storedBefore)

    const atDesk = messageArrives(bobDesk, (m) => m.body === 'first attempt')
    const sent = await send(alice, aliceAccount, 'bob@localhost', 'first attempt')
    expect(sent.encryption).toBe('omemo')
    await atDesk
    const atBob = (await history(bobDesk, bobDeskAccount, 'alice@localhost')).filter((m) => m.body === 'first attempt' || m.undecryptable)
    expect(atBob).toEqual([expect.objectContaining({ body: 'first attempt', undecryptable: null })])
  })

  it('sending: the message cannot be stored → the ratchet step is not stored either', async () => {
    const before = sessionWithBobDesk()
    injectFault("BEFORE INSERT ON messages WHEN NEW.body = 'not stored, not sent'")
    const refused = await alice.core.call('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'not stored, not sent' })
    removeFault()
    expect(refused.ok).toBe(false)
    expect(sessionWithBobDesk()).toBe(before)

    const atDesk = messageArrives(bobDesk, (m) => m.body === 'after the failed one')
    await send(alice, aliceAccount, 'bob@localhost', 'after the failed one')
    await atDesk
    const atBob = (await history(bobDesk, bobDeskAccount, 'alice@localhost')).filter((m) => m.body === 'not stored, not sent' || m.undecryptable)
    expect(atBob).toEqual([])
  })
})
