import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, MessageDto, OwnDeviceDto } from '../../preload/api.ts'
import { groupedFingerprint } from '../../main/core/omemo/fingerprint.ts'
import { fetchItem, publishOpen } from '../../main/core/omemo/pep.ts'
import { enableCarbons } from '../../main/core/xmpp/stanzas/carbons.ts'
import { bundleNode, DEVICE_LIST_NODE, deviceListElement, FALLBACK_BODY, parseBundle, parseDeviceList } from '../../main/core/omemo/protocol/legacy.ts'
import { addOnlineAccount, messageArrives, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient, type RawClient } from '../helpers/raw-client.ts'
import { waitFor } from '../helpers/wait.ts'

/** Two accounts with two devices each: every core is one OMEMO device. */
interface Device {
  name: string
  test: TestCore
  account: AccountDto
  own: OwnDeviceDto
}

let server: ProsodyServer
let aliceDesk: Device
let aliceLaptop: Device
let bobDesk: Device
let bobPhone: Device
let raw: RawClient

async function startDevice(name: string, username: string): Promise<Device> {
  const test = await startCore(server)
  const account = await addOnlineAccount(test, server, username, `${username}-pw`)
  const own = await test.core.request('omemo:ownDevice', { accountId: account.id })
  return { name, test, account, own }
}

const send = (from: Device, to: string, body: string) => from.test.core.request('messages:send', { accountId: from.account.id, to, body })
const arrives = (device: Device, body: string) => messageArrives(device.test, (m) => m.body === body || (m.undecryptable !== null && m.timestamp > 0 && body === '*undecryptable*'))
const history = (device: Device, peer: string) => device.test.core.request('messages:list', { accountId: device.account.id, peer, limit: 500 })
const publishedList = async (jid: string) => parseDeviceList((await fetchItem(raw.link, jid, DEVICE_LIST_NODE)) ?? undefined)

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  // One after the other: each device adds itself to its account's device list.
  aliceDesk = await startDevice('alice desk', 'alice')
  aliceLaptop = await startDevice('alice laptop', 'alice')
  bobDesk = await startDevice('bob desk', 'bob')
  bobPhone = await startDevice('bob phone', 'bob')
  // Alice and bob share presence, so their device lists are pushed to each other (XEP-0163 +notify).
  const approved = aliceDesk.test.next('roster:changed', (c) => c.jid === 'bob@localhost' && c.subscription === 'both')
  const asked = bobDesk.test.next('roster:changed', (c) => c.jid === 'alice@localhost' && c.pendingIn)
  await aliceDesk.test.core.request('roster:add', { accountId: aliceDesk.account.id, jid: 'bob@localhost' })
  await asked
  await bobDesk.test.core.request('roster:respond', { accountId: bobDesk.account.id, jid: 'alice@localhost', accept: true })
  await approved
  raw = await connectRawClient(server, 'alice', 'alice-pw')
  await waitFor(async () => (await publishedList('alice@localhost')).length === 2 && (await publishedList('bob@localhost')).length === 2, {
    timeoutMs: 20_000,
    description: 'both device lists with two devices',
  })
})

afterAll(async () => {
  await raw?.close()
  await stopAll(server, aliceDesk?.test, aliceLaptop?.test, bobDesk?.test, bobPhone?.test)
})

describe('OMEMO between two accounts with two devices each (real Prosody)', () => {
  it('publishes each device in its device list and a bundle with 100 prekeys', async () => {
    expect((await publishedList('alice@localhost')).sort()).toEqual([aliceDesk.own.deviceId, aliceLaptop.own.deviceId].sort())
    const bundle = parseBundle((await fetchItem(raw.link, 'bob@localhost', bundleNode(bobDesk.own.deviceId))) ?? undefined)
    expect('invalid' in bundle).toBe(false)
    if (!('invalid' in bundle)) {
      expect(bundle.preKeys).toHaveLength(100)
      expect(bundle.identityKey.subarray(1).toString('hex')).toBe(bobDesk.own.fingerprint.replaceAll(' ', ''))
    }
  })

  it('a new chat knows before the first message whether it will be encrypted', async () => {
    const fresh = await bobPhone.test.core.request('conversations:get', { accountId: bobPhone.account.id, peer: 'alice@localhost' })
    expect(fresh).toMatchObject({ peer: 'alice@localhost', lastMessage: null, omemo: true })
    const stranger = await bobPhone.test.core.request('conversations:get', { accountId: bobPhone.account.id, peer: 'nobody@localhost' })
    expect(stranger.omemo).toBe(false)
  })

  it("every device reads every message: the contact's devices live, our other device via carbons", async () => {
    const body = 'Secret plan: meet at noon 🕛'
    const onBobDesk = arrives(bobDesk, body)
    const onBobPhone = arrives(bobPhone, body)
    const onAliceLaptop = arrives(aliceLaptop, body)
    const sent = await send(aliceDesk, 'bob@localhost', body)
    expect(sent.encryption).toBe('omemo')
    expect(sent.encryptionReport?.encryptedFor.map((d) => d.deviceId).sort()).toEqual(
      [bobDesk.own.deviceId, bobPhone.own.deviceId, aliceLaptop.own.deviceId].sort(),
    )
    expect(sent.encryptionReport?.skipped).toEqual([])

    for (const message of [await onBobDesk, await onBobPhone]) {
      expect(message).toMatchObject({ direction: 'in', encryption: 'omemo', sender: { deviceId: aliceDesk.own.deviceId, trust: 'blind' }, undecryptable: null })
    }
    expect(await onAliceLaptop).toMatchObject({ direction: 'out', fromOtherDevice: true, encryption: 'omemo', peer: 'bob@localhost' })

    const reply = 'Noon works. Bring the documents.'
    const replies = [aliceDesk, aliceLaptop, bobDesk].map((device) => arrives(device, reply))
    await send(bobPhone, 'alice@localhost', reply)
    const [onDesk, onLaptop, onBobsDesk] = await Promise.all(replies)
    expect(onDesk).toMatchObject({ direction: 'in', sender: { deviceId: bobPhone.own.deviceId } })
    expect(onLaptop).toMatchObject({ direction: 'in', sender: { deviceId: bobPhone.own.deviceId } })
    expect(onBobsDesk).toMatchObject({ direction: 'out', fromOtherDevice: true })
  })

  it('puts nothing but ciphertext and the fallback body on the wire and in the server archive', async () => {
    const secret = 'the-vault-code-is-31337'
    // What went over the socket: the message exactly as alice's server relays it, seen by a second client of alice's
    // (a XEP-0280 sent carbon carries the stanza as her desk wrote it) and by one of bob's.
    await raw.request(enableCarbons())
    const bobRaw = await connectRawClient(server, 'bob', 'bob-pw')
    try {
      await bobRaw.request(enableCarbons())
      const marks = [raw.received.length, bobRaw.received.length] as const
      const relayed = (client: RawClient, mark: number) =>
        waitFor(() => client.received.slice(mark).find((stanza) => stanza.is('message') && stanza.toString().includes(FALLBACK_BODY)), {
          timeoutMs: 20_000,
          description: 'the relayed message',
        })
      const received = arrives(bobDesk, secret)
      await send(aliceDesk, 'bob@localhost', secret)
      await received
      for (const [client, mark] of [[raw, marks[0]], [bobRaw, marks[1]]] as const) {
        expect((await relayed(client, mark)).toString()).toContain('eu.siacs.conversations.axolotl')
        expect(client.received.slice(mark).map(String).join('\n')).not.toContain(secret)
      }
    } finally {
      await bobRaw.close()
    }
    // What the server stored: every file of its data directory (archives, offline storage, PEP).
    const files: string[] = []
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) await walk(path)
        else files.push(path)
      }
    }
    await walk(server.dataDir)
    const stored = (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('\n')
    expect(stored).toContain('eu.siacs.conversations.axolotl')
    expect(stored).toContain(FALLBACK_BODY)
    expect(stored).not.toContain(secret)
  })

  it('consumes a prekey on a new session and republishes the bundle without it, refilled to 100', async () => {
    const before = parseBundle((await fetchItem(raw.link, 'alice@localhost', bundleNode(aliceLaptop.own.deviceId))) ?? undefined)
    if ('invalid' in before) throw new Error(before.invalid)
    // A brand-new device of bob starts a session with alice's laptop: one PreKeySignalMessage.
    const bobTablet = await startDevice('bob tablet', 'bob')
    try {
      const first = arrives(aliceLaptop, 'hello from the tablet')
      await send(bobTablet, 'alice@localhost', 'hello from the tablet')
      await first
      const oldIds = new Set(before.preKeys.map((key) => key.id))
      const after = await waitFor(
        async () => {
          const bundle = parseBundle((await fetchItem(raw.link, 'alice@localhost', bundleNode(aliceLaptop.own.deviceId))) ?? undefined)
          return !('invalid' in bundle) && bundle.preKeys.some((key) => !oldIds.has(key.id)) ? bundle : null
        },
        { timeoutMs: 20_000, description: "alice laptop's republished bundle" },
      )
      expect(after.preKeys).toHaveLength(100)
      const consumed = before.preKeys.filter((key) => !after.preKeys.some((other) => other.id === key.id))
      expect(consumed.length).toBeGreaterThanOrEqual(1)
    } finally {
      await bobTablet.test.close()
    }
  })

  it('announces its device again when it is removed from its own device list', async () => {
    const current = await publishedList('alice@localhost')
    await publishOpen(raw.link, DEVICE_LIST_NODE, deviceListElement(current.filter((id) => id !== aliceDesk.own.deviceId)))
    await waitFor(async () => (await publishedList('alice@localhost')).includes(aliceDesk.own.deviceId), {
      timeoutMs: 20_000,
      description: 'alice desk back in the device list',
    })
    // Bob's devices, pushed both changes, see alice's desk as active again.
    await waitFor(
      async () =>
        (await bobDesk.test.core.request('omemo:devices', { accountId: bobDesk.account.id, jid: 'alice@localhost' })).some(
          (device) => device.deviceId === aliceDesk.own.deviceId && device.active,
        ),
      { timeoutMs: 20_000, description: "bob's view of alice desk back to active" },
    )
  })

  it('never encrypts for a distrusted device, and that device sees only a "not encrypted for this device" entry', async () => {
    await bobDesk.test.core.request('trust:setDevice', { accountId: bobDesk.account.id, jid: 'alice@localhost', deviceId: aliceLaptop.own.deviceId, trust: 'distrusted' })
    const atDesk = arrives(aliceDesk, 'not for the laptop')
    const atLaptop = messageArrives(aliceLaptop.test, (m) => m.undecryptable !== null && m.peer === 'bob@localhost')
    const sent = await send(bobDesk, 'alice@localhost', 'not for the laptop')
    expect(sent.encryptionReport?.skipped).toContainEqual({ jid: 'alice@localhost', deviceId: aliceLaptop.own.deviceId, reason: 'untrusted' })
    expect(sent.encryptionReport?.encryptedFor).not.toContainEqual({ jid: 'alice@localhost', deviceId: aliceLaptop.own.deviceId })
    await atDesk
    const entry: MessageDto = await atLaptop
    expect(entry.body).toBe('')
    expect(entry).toMatchObject({ undecryptable: { code: 'not-for-this-device' }, sender: null })
    expect((await history(aliceLaptop, 'bob@localhost')).some((m) => m.body === 'not for the laptop')).toBe(false)
  })

  it('BTBV: after verifying one device of a contact, a new device of that contact stays undecided until the user decides', async () => {
    const devicesBefore = await bobPhone.test.core.request('omemo:devices', { accountId: bobPhone.account.id, jid: 'alice@localhost' })
    expect(devicesBefore.filter((d) => d.active).map((d) => d.trust)).toEqual(['blind', 'blind'])
    const verified = await bobPhone.test.core.request('trust:verifyUri', { accountId: bobPhone.account.id, uri: aliceDesk.own.verificationUri })
    expect(verified).toMatchObject({ deviceId: aliceDesk.own.deviceId, trust: 'verified' })

    const tabletAnnounced = bobPhone.test.next('omemo:devicesChanged', (change) => change.jid === 'alice@localhost')
    const aliceTablet = await startDevice('alice tablet', 'alice')
    try {
      await tabletAnnounced
      const refused = await bobPhone.test.core.request('messages:send', { accountId: bobPhone.account.id, to: 'alice@localhost', body: 'after verification' })
      expect(refused.encryptionReport?.skipped).toContainEqual({ jid: 'alice@localhost', deviceId: aliceTablet.own.deviceId, reason: 'undecided' })
      const tablet = (await bobPhone.test.core.request('omemo:devices', { accountId: bobPhone.account.id, jid: 'alice@localhost' })).find(
        (d) => d.deviceId === aliceTablet.own.deviceId,
      )
      expect(tablet).toMatchObject({ trust: 'undecided', fingerprint: aliceTablet.own.fingerprint })

      await bobPhone.test.core.request('trust:setDevice', { accountId: bobPhone.account.id, jid: 'alice@localhost', deviceId: aliceTablet.own.deviceId, trust: 'blind' })
      const onTablet = arrives(aliceTablet, 'now the tablet too')
      const included = await send(bobPhone, 'alice@localhost', 'now the tablet too')
      expect(included.encryptionReport?.encryptedFor).toContainEqual({ jid: 'alice@localhost', deviceId: aliceTablet.own.deviceId })
      await onTablet
    } finally {
      await aliceTablet.test.close()
    }
  })

  it('a verification link with the wrong fingerprint is refused', async () => {
    const forged = aliceDesk.own.verificationUri.replace(/=([0-9a-f])/u, (_match, first: string) => `=${first === 'a' ? 'b' : 'a'}`)
    const result = await bobDesk.test.core.call('trust:verifyUri', { accountId: bobDesk.account.id, uri: forged })
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } })
  })

  // Last: it leaves an extra device in alice's list.
  it("moves to a new device id when its id turns out to be another device's, keeping its keys (§4.1)", async () => {
    const tablet = await startDevice('alice e-reader', 'alice')
    try {
      const taken = tablet.own.deviceId
      await tablet.test.core.request('accounts:setEnabled', { accountId: tablet.account.id, enabled: false })
      // Meanwhile another client of alice's picked the same id and published its bundle (here: the desk's keys).
      const otherBundle = (await fetchItem(raw.link, 'alice@localhost', bundleNode(aliceDesk.own.deviceId)))!
      await publishOpen(raw.link, bundleNode(taken), otherBundle)

      await tablet.test.core.request('accounts:setEnabled', { accountId: tablet.account.id, enabled: true })
      let moved = tablet.own
      await waitFor(
        async () => {
          moved = await tablet.test.core.request('omemo:ownDevice', { accountId: tablet.account.id })
          return moved.deviceId !== taken && (await publishedList('alice@localhost')).includes(moved.deviceId)
        },
        { timeoutMs: 20_000, description: 'the e-reader under a new device id in the list' },
      )
      expect(moved.fingerprint).toBe(tablet.own.fingerprint)
      const published = parseBundle((await fetchItem(raw.link, 'alice@localhost', bundleNode(moved.deviceId))) ?? undefined)
      expect('invalid' in published ? null : groupedFingerprint(published.identityKey)).toBe(tablet.own.fingerprint)
      // The other device's bundle is left as it is.
      const other = parseBundle((await fetchItem(raw.link, 'alice@localhost', bundleNode(taken))) ?? undefined)
      expect('invalid' in other ? null : groupedFingerprint(other.identityKey)).toBe(aliceDesk.own.fingerprint)
    } finally {
      await tablet.test.close()
    }
  })
})
