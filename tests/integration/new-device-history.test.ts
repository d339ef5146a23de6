/**
 * A new device of ours catching up on history from before it existed (issue 9): the archive holds OMEMO
 * messages that were encrypted for our other devices only (XEP-0384 §5.3.2: a sender encrypts for the devices
 * it knows). They cannot be decrypted here and never could be, so they are not warnings: they are stored as
 * "before this device", read, collapsed by the UI into one notice, and never notified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, MessageDto } from '../../preload/api.ts'
import { shouldNotify } from '../../main/shell/notifications.ts'
import { addOnlineAccount, sharePresence, startAliceAndBob, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'

let server: ProsodyServer
let alice: TestCore
let bob: TestCore
let laptop: TestCore | undefined
let aliceAccount: AccountDto
let bobAccount: AccountDto

beforeAll(async () => {
  ;({ server, alice, bob, aliceAccount, bobAccount } = await startAliceAndBob())
  // Contacts who share presence, so bob's device list changes are pushed to alice (XEP-0163 +notify).
  await sharePresence(alice, aliceAccount, bob, bobAccount)
})

afterAll(() => stopAll(server, alice, bob, laptop))

const EARLIER = ['before the laptop 1', 'before the laptop 2', 'before the laptop 3']
const WINDOW_NOT_LOOKING = { exists: true, visible: false, minimized: false, focused: false }

describe("a new device's history from before it existed", () => {
  it('is stored as read "before this device" entries, not warnings, not unread, not notified; new messages decrypt', async () => {
    for (const body of EARLIER) {
      const arrived = bob.next('messages:received', (m) => m.body === body)
      const sent = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body })
      expect(sent.encryption).toBe('omemo')
      await arrived
    }
    const reply = alice.next('messages:received', (m) => m.body === 'a reply from the desk')
    await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body: 'a reply from the desk' })
    await reply

    // Bob adds his account on a second computer: a new OMEMO device that catches up on the archive.
    laptop = await startCore(server)
    const notifiedOnLaptop: MessageDto[] = []
    laptop.core.subscribe((envelope) => {
      if (envelope.event === 'messages:received' && shouldNotify(envelope.payload, WINDOW_NOT_LOOKING)) notifiedOnLaptop.push(envelope.payload)
    })
    const aliceLearnsLaptop = alice.next('omemo:devicesChanged', (change) => change.jid === 'bob@localhost')
    const laptopAccount = await addOnlineAccount(laptop, server, 'bob', 'bob-pw')

    const history = await laptop.core.request('messages:list', { accountId: laptopAccount.id, peer: 'alice@localhost' })
    expect(history.map((m) => [m.direction, m.undecryptable?.code ?? null, m.body])).toEqual([
      ['in', 'before-this-device', ''],
      ['in', 'before-this-device', ''],
      ['in', 'before-this-device', ''],
      ['out', 'before-this-device', ''],
    ])
    const conversations = await laptop.core.request('conversations:list', { accountId: laptopAccount.id })
    expect(conversations.find((c) => c.peer === 'alice@localhost')?.unread).toBe(0)
    expect(notifiedOnLaptop).toEqual([])

    // Alice's next message is encrypted for the laptop too, once she saw it in bob's device list (XEP-0384 §4.3).
    await aliceLearnsLaptop
    const onLaptop = laptop.next('messages:received', (m) => m.body === 'hello both of your devices')
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'hello both of your devices' })
    const fresh = await onLaptop
    expect(fresh).toMatchObject({ encryption: 'omemo', undecryptable: null })
    expect(shouldNotify(fresh, WINDOW_NOT_LOOKING)).toBe(true)
    const after = await laptop.core.request('conversations:list', { accountId: laptopAccount.id })
    expect(after.find((c) => c.peer === 'alice@localhost')?.unread).toBe(1)
  })
})
