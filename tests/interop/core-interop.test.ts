import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, OwnDeviceDto } from '../../preload/api.ts'
import { accountReaches, addOnlineAccount, messageArrives, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { startOmemoPeer, type OmemoPeer } from '../helpers/omemo-peer.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'

/**
 * Interop with an independent OMEMO 0.3 implementation: python-omemo + oldmemo + slixmpp (Debian),
 * driven through tests/interop/peer/omemo_peer.py. It validates our XML against the XEP's schema
 * and takes our identity keys from our published bundles.
 */

const PEER_TIMEOUT = 30_000
let server: ProsodyServer
let alice: TestCore
let aliceAccount: AccountDto
let aliceDevice: OwnDeviceDto
let bob: OmemoPeer
let carol: OmemoPeer
let bobDataDir: string

beforeAll(async () => {
  server = await startProsody({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'carol', password: 'carol-pw' },
    ],
  })
  // Bob's device state lives in a dir of ours, so the peer can be restarted as the same device.
  bobDataDir = await mkdtemp(join(tmpdir(), 'omemo-peer-bob-'))
  alice = await startCore(server)
  aliceAccount = await addOnlineAccount(alice, server, 'alice', 'alice-pw')
  aliceDevice = await alice.core.request('omemo:ownDevice', { accountId: aliceAccount.id })
  ;[bob, carol] = await Promise.all([
    startOmemoPeer({ server, username: 'bob', password: 'bob-pw', dataDir: bobDataDir }),
    startOmemoPeer({ server, username: 'carol', password: 'carol-pw' }),
  ])
})

afterAll(async () => {
  await Promise.all([bob?.stop(), carol?.stop()])
  await stopAll(server, alice)
  if (bobDataDir) await rm(bobDataDir, { recursive: true, force: true })
})

describe('OMEMO interop with python-omemo (independent implementation)', () => {
  it('the peer starts the session: its message arrives decrypted, with its device and blind trust', async () => {
    const arrives = messageArrives(alice, (m) => m.body === 'hello from python-omemo')
    await bob.send('alice@localhost', 'hello from python-omemo')
    expect(await arrives).toMatchObject({ direction: 'in', peer: 'bob@localhost', encryption: 'omemo', sender: { deviceId: bob.deviceId, trust: 'blind' } })
  })

  it('we answer in the session the peer started', async () => {
    const reply = bob.nextMessage((m) => m.body === 'hello back from Ciphermoon', PEER_TIMEOUT)
    const sent = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'hello back from Ciphermoon' })
    expect(sent.encryptionReport?.encryptedFor).toContainEqual({ jid: 'bob@localhost', deviceId: bob.deviceId })
    const received = await reply
    expect(received).toMatchObject({ from: 'alice@localhost', senderDevice: aliceDevice.deviceId, keyMaterialLength: 32 })
  })

  it('after its PreKeySignalMessage we rekey with a KeyTransportElement the peer accepts', async () => {
    // Our catch-up already finished, so the rekey for bob's first (prekey) message went out at once.
    const keyTransport = await bob.nextMessage((m) => m.keyTransport && m.from === 'alice@localhost', PEER_TIMEOUT)
    expect(keyTransport).toMatchObject({ senderDevice: aliceDevice.deviceId, body: null, keyMaterialLength: 32 })
  })

  it('we start the session: our PreKeySignalMessage is accepted, with the device and fingerprint we published', async () => {
    const received = carol.nextMessage((m) => m.body === 'first contact, from us', PEER_TIMEOUT)
    const sent = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'carol@localhost', body: 'first contact, from us' })
    expect(sent.encryptionReport?.encryptedFor).toEqual([{ jid: 'carol@localhost', deviceId: carol.deviceId }])
    expect(await received).toMatchObject({ senderDevice: aliceDevice.deviceId, prekey: true })
    const seen = await carol.devices('alice@localhost')
    expect(seen).toContainEqual(expect.objectContaining({ deviceId: aliceDevice.deviceId }))
    const ours = seen.find((device) => device.deviceId === aliceDevice.deviceId)!
    expect(ours.fingerprint.replace(/[^0-9a-f]/giu, '').toLowerCase()).toContain(aliceDevice.fingerprint.replaceAll(' ', ''))
  })

  it("the peer's KeyTransportElement updates our ratchet silently; the conversation goes on", async () => {
    const before = await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'carol@localhost' })
    await carol.keyTransport('alice@localhost')
    const next = messageArrives(alice, (m) => m.body === 'after my key transport')
    await carol.send('alice@localhost', 'after my key transport')
    await next
    const after = await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'carol@localhost' })
    expect(after.map((m) => m.body)).toEqual([...before.map((m) => m.body), 'after my key transport'])
    expect(after.filter((m) => m.undecryptable !== null)).toEqual([])
  })

  it('offline both ways: the peer reads our message from its archive, we read its message from ours', async () => {
    // The peer goes offline; we write; it comes back and reads from MAM (or offline delivery) once.
    await bob.stop()
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'while you were offline, bob' })
    bob = await startOmemoPeer({ server, username: 'bob', password: 'bob-pw', dataDir: bobDataDir, mamCatchUp: true })
    expect(bob.decryptErrors).toEqual([])
    const fromArchive = bob.messages.filter((m) => m.body === 'while you were offline, bob')
    const caught = fromArchive.length > 0 ? fromArchive : [await bob.nextMessage((m) => m.body === 'while you were offline, bob', PEER_TIMEOUT)]
    expect(caught).toHaveLength(1)
    expect(caught[0]).toMatchObject({ senderDevice: aliceDevice.deviceId })

    // We go offline; the peer writes; we come back and catch up.
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })
    await bob.send('alice@localhost', 'while you were offline, alice')
    const previousSync = (await alice.core.request('accounts:list', {}))[0]!.lastSyncedAt ?? 0
    const synced = accountReaches(alice, aliceAccount.id, (a) => a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) > previousSync)
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
    await synced
    const history = await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'bob@localhost' })
    expect(history.filter((m) => m.body === 'while you were offline, alice')).toEqual([
      expect.objectContaining({ direction: 'in', encryption: 'omemo', sender: { deviceId: bob.deviceId, trust: 'blind' } }),
    ])
  })
})
