import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { openDatabase } from '../../main/core/store/db.ts'
import { accountReaches, messageArrives, startAliceAndBob, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'
import { waitFor } from '../helpers/wait.ts'

let server: ProsodyServer
let alice: TestCore
let bob: TestCore
let aliceAccount: AccountDto
let bobAccount: AccountDto

beforeAll(async () => {
  ;({ server, alice, bob, aliceAccount, bobAccount } = await startAliceAndBob())
})

afterAll(() => stopAll(server, alice, bob))

describe('OMEMO session repair (XEP-0384 §4.7: heal a session that cannot decrypt)', () => {
  it('a device that lost its session answers with a fresh one, and the conversation goes on', async () => {
    const first = messageArrives(bob, (m) => m.body === 'before the loss')
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'before the loss' })
    await first
    const aliceDevice = await alice.core.request('omemo:ownDevice', { accountId: aliceAccount.id })
    const bobDevice = await bob.core.request('omemo:ownDevice', { accountId: bobAccount.id })

    // Bob's app loses its session with alice's device (e.g. restored from an old backup).
    const { dataDir, key } = bob
    await bob.close({ keepData: true })
    const db = openDatabase(join(dataDir, 'messenger.db'), key)
    const removed = db.prepare('DELETE FROM omemo_sessions WHERE jid = ? AND device_id = ?').run('alice@localhost', aliceDevice.deviceId)
    db.close()
    expect(removed.changes).toBe(1)
    bob = await startCore(server, { dataDir, key })
    await accountReaches(bob, bobAccount.id, (a) => a.state === 'online' && !a.syncing && a.lastSyncedAt !== null)

    // Alice's next message cannot be read: shown as such, and bob repairs the session.
    const heardBefore =
      (await alice.core.request('omemo:devices', { accountId: aliceAccount.id, jid: 'bob@localhost' })).find((d) => d.deviceId === bobDevice.deviceId)
        ?.lastMessageAt ?? 0
    const unreadable = messageArrives(bob, (m) => m.undecryptable !== null)
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'lost in the gap' })
    // A SignalMessage finds no session; a PreKeySignalMessage (no answer from bob yet) finds its prekey used: Bad MAC.
    expect(['no-session', 'bad-message']).toContain((await unreadable).undecryptable?.code)

    // Bob's KeyTransportElement reaches alice's device and replaces her session with bob's device.
    await waitFor(
      async () =>
        ((await alice.core.request('omemo:devices', { accountId: aliceAccount.id, jid: 'bob@localhost' })).find((d) => d.deviceId === bobDevice.deviceId)
          ?.lastMessageAt ?? 0) > heardBefore,
      { timeoutMs: 20_000, description: "bob's key transport arriving at alice" },
    )
    const healed = messageArrives(bob, (m) => m.body === 'after the repair')
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'after the repair' })
    expect(await healed).toMatchObject({ encryption: 'omemo', undecryptable: null, sender: { deviceId: aliceDevice.deviceId } })
  })
})
