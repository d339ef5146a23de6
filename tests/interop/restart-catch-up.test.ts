import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import xml from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, MessageDto, OwnDeviceDto } from '../../preload/api.ts'
import { encryptedElement } from '../../main/core/omemo/protocol/legacy.ts'
import { accountReaches, addOnlineAccount, messageArrives, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { startOmemoPeer, type OmemoPeer } from '../helpers/omemo-peer.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient } from '../helpers/raw-client.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * Issue 9, "restart / reconnect must never cost a message", against the independent python-omemo peer: it
 * answers our first (prekey) message with an empty OMEMO message, which a restart then meets again in the
 * archive. Neither a restart nor a disable → enable may add an entry, mark anything unread, or break the
 * session; one garbage message in a catch-up must not cost the messages after it.
 */

const PEER_TIMEOUT = 30_000
let server: ProsodyServer
let alice: TestCore
let aliceAccount: AccountDto
let aliceDevice: OwnDeviceDto
let bob: OmemoPeer
let bobDataDir: string

const history = () => alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'bob@localhost', limit: 500 })
const unread = async () => (await alice.core.request('conversations:get', { accountId: aliceAccount.id, peer: 'bob@localhost' })).unread
const summary = (messages: MessageDto[]) => messages.map((m) => ({ id: m.id, body: m.body, undecryptable: m.undecryptable }))

/** Waits until the account is online again and a catch-up newer than `after` has finished. */
function syncedAfter(test: TestCore, after: number) {
  return accountReaches(test, aliceAccount.id, (a) => a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) > after)
}

async function lastSyncedAt(): Promise<number> {
  return (await alice.core.request('accounts:list', {})).find((a) => a.id === aliceAccount.id)?.lastSyncedAt ?? 0
}

/** What alice's core last heard from bob's device (key transports included). */
async function lastHeardFromBob(): Promise<number> {
  const devices = await alice.core.request('omemo:devices', { accountId: aliceAccount.id, jid: 'bob@localhost' })
  return devices.find((device) => device.deviceId === bob.deviceId)?.lastMessageAt ?? 0
}

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  bobDataDir = await mkdtemp(join(tmpdir(), 'omemo-peer-bob-'))
  alice = await startCore(server)
  aliceAccount = await addOnlineAccount(alice, server, 'alice', 'alice-pw')
  aliceDevice = await alice.core.request('omemo:ownDevice', { accountId: aliceAccount.id })
  bob = await startOmemoPeer({ server, username: 'bob', password: 'bob-pw', dataDir: bobDataDir })
})

afterAll(async () => {
  await bob?.stop()
  await stopAll(server, alice)
  if (bobDataDir) await rm(bobDataDir, { recursive: true, force: true })
})

describe('restarts and reconnects never cost a message (python-omemo peer)', () => {
  it("the peer's empty OMEMO answer to our first message arrives and is not shown", async () => {
    const received = bob.nextMessage((m) => m.body === 'first, from us', PEER_TIMEOUT)
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'first, from us' })
    expect(await received).toMatchObject({ prekey: true, senderDevice: aliceDevice.deviceId })
    // python-omemo completes the session with an empty message: alice's core takes it (it advances her ratchet).
    await waitFor(async () => (await lastHeardFromBob()) > 0, { timeoutMs: PEER_TIMEOUT, description: "the peer's empty OMEMO message" })
    expect(summary(await history())).toEqual([expect.objectContaining({ body: 'first, from us', undecryptable: null })])
  })

  it('a restart meets that message again in the archive: no stray entry, nothing unread, the next message decrypts', async () => {
    const before = summary(await history())
    const previous = await lastSyncedAt()
    await alice.close({ keepData: true })
    alice = await startCore(server, { dataDir: alice.dataDir, key: alice.key })
    await syncedAfter(alice, previous)
    expect(summary(await history())).toEqual(before)
    expect(await unread()).toBe(0)

    const next = messageArrives(alice, (m) => m.body === 'after your restart')
    await bob.send('alice@localhost', 'after your restart')
    expect(await next).toMatchObject({ encryption: 'omemo', undecryptable: null, sender: { deviceId: bob.deviceId } })
  })

  it('disable → enable adds nothing; the session keeps working both ways', async () => {
    await alice.core.request('conversations:markRead', { accountId: aliceAccount.id, peer: 'bob@localhost' })
    const before = summary(await history())
    const previous = await lastSyncedAt()
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })
    const synced = syncedAfter(alice, previous)
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
    await synced
    expect(summary(await history())).toEqual(before)
    expect(await unread()).toBe(0)

    const reply = bob.nextMessage((m) => m.body === 'after disable and enable', PEER_TIMEOUT)
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'after disable and enable' })
    await reply
    const next = messageArrives(alice, (m) => m.body === 'and back to you')
    await bob.send('alice@localhost', 'and back to you')
    expect(await next).toMatchObject({ undecryptable: null })
    expect(bob.decryptErrors).toEqual([])
  })

  it('one garbage OMEMO message among ten archived ones: the nine real ones decrypt, the garbage is one entry', async () => {
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })
    const before = (await history()).length
    // Bob's device id, a key for alice's device, but bytes no session can decrypt; sent from a second resource of bob.
    const forger = await connectRawClient(server, 'bob', 'bob-pw')
    try {
      for (let index = 1; index <= 10; index++) {
        if (index === 5) {
          const garbage = encryptedElement({
            sid: bob.deviceId,
            keys: [{ rid: aliceDevice.deviceId, preKey: false, data: randomBytes(60) }],
            iv: randomBytes(12),
            payload: randomBytes(24),
          })
          await forger.send(xml('message', { to: 'alice@localhost', type: 'chat', id: `garbage-${index}` }, garbage, xml('store', { xmlns: 'urn:xmpp:hints' })))
        } else {
          await bob.send('alice@localhost', `archived ${index}`)
        }
      }
    } finally {
      await forger.close()
    }

    const previous = await lastSyncedAt()
    const synced = syncedAfter(alice, previous)
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
    await synced
    const added = (await history()).slice(before)
    expect(added.filter((m) => m.undecryptable === null).map((m) => m.body)).toEqual(
      [1, 2, 3, 4, 6, 7, 8, 9, 10].map((index) => `archived ${index}`),
    )
    expect(added.filter((m) => m.undecryptable !== null)).toHaveLength(1)

    const next = messageArrives(alice, (m) => m.body === 'still readable after the garbage')
    await bob.send('alice@localhost', 'still readable after the garbage')
    expect(await next).toMatchObject({ undecryptable: null })
  })

  it('garbage as the last archived message: one repair after the catch-up, which the peer accepts, and the session goes on both ways', async () => {
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })
    await bob.send('alice@localhost', 'readable, before the garbage')
    const forger = await connectRawClient(server, 'bob', 'bob-pw')
    try {
      const garbage = encryptedElement({ sid: bob.deviceId, keys: [{ rid: aliceDevice.deviceId, preKey: false, data: randomBytes(60) }], iv: randomBytes(12), payload: randomBytes(24) })
      await forger.send(xml('message', { to: 'alice@localhost', type: 'chat', id: 'garbage-last' }, garbage, xml('store', { xmlns: 'urn:xmpp:hints' })))
    } finally {
      await forger.close()
    }
    const errorsBefore = bob.decryptErrors.length
    // The repair (XEP-0384 §4.7): a key transport on a fresh session, sent only once the catch-up is over.
    const repair = bob.nextMessage((m) => m.from === 'alice@localhost' && m.keyTransport && m.prekey, PEER_TIMEOUT)
    const previous = await lastSyncedAt()
    const synced = syncedAfter(alice, previous)
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
    await synced
    await repair
    expect(bob.decryptErrors.slice(errorsBefore)).toEqual([])
    const latest = (await history()).slice(-2)
    expect(latest.map((m) => [m.body, m.undecryptable?.code ?? null])).toEqual([
      ['readable, before the garbage', null],
      ['', 'bad-message'],
    ])

    // Whichever session the peer now sends on (python-omemo keeps its old one), alice reads it; and bob reads alice.
    const fromBob = messageArrives(alice, (m) => m.body === 'after the repair')
    await bob.send('alice@localhost', 'after the repair')
    expect(await fromBob).toMatchObject({ undecryptable: null })
    const toBob = bob.nextMessage((m) => m.body === 'alice after the repair', PEER_TIMEOUT)
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'alice after the repair' })
    await toBob
    const another = messageArrives(alice, (m) => m.body === 'and once more')
    await bob.send('alice@localhost', 'and once more')
    expect(await another).toMatchObject({ undecryptable: null })
    expect(bob.decryptErrors.slice(errorsBefore)).toEqual([])
  })
})
