import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import {
  type TestCore,
  accountReaches,
  addOnlineAccount,
  messageArrives,
  OVERCOUNTED_ACK_WARNING,
  startAliceAndBob,
  startCore,
  stopAll,
} from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient } from '../helpers/raw-client.ts'
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

const bodiesIn = async (test: TestCore, accountId: number, peer: string) =>
  (await test.core.request('messages:list', { accountId, peer, limit: 500 })).map((m) => m.body)

describe('XEP-0313 catch-up: messages that arrived while we were offline', () => {
  it('arrive exactly once, in order, after reconnecting (offline storage and archive deduplicated)', async () => {
    const before = messageArrives(alice, (m) => m.body === 'before going offline')
    await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body: 'before going offline' })
    await before
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })

    const offlineBodies = Array.from({ length: 5 }, (_, i) => `while you were away #${i + 1}`)
    for (const body of offlineBodies) {
      const acked = bob.next('messages:updated', (m) => m.body === body && m.state === 'acked')
      await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body })
      await acked
    }

    const previousSync = (await alice.core.request('accounts:list', {}))[0]!.lastSyncedAt ?? 0
    const synced = accountReaches(alice, aliceAccount.id, (a) => a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) > previousSync)
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
    await synced
    expect(await bodiesIn(alice, aliceAccount.id, 'bob@localhost')).toEqual(['before going offline', ...offlineBodies])
  })

  it('a restart of the app catches up again without duplicating anything', async () => {
    const { dataDir, key } = alice
    await alice.close({ keepData: true })
    alice = await startCore(server, { dataDir, key })
    const account = (await alice.core.request('accounts:list', {}))[0]!
    await accountReaches(alice, account.id, (a) => a.state === 'online' && !a.syncing && a.lastSyncedAt !== null)
    const bodies = await bodiesIn(alice, account.id, 'bob@localhost')
    expect(bodies).toHaveLength(6)
    expect(new Set(bodies).size).toBe(6)
  })

  it("our own messages sent from another client are fetched as sent, and this client's own are not duplicated", async () => {
    // A device added later cannot read OMEMO messages from before it existed (XEP-0384 has no history
    // sharing); this test is about the archive, so this conversation is plain text.
    await alice.core.request('omemo:setConversationEncryption', { accountId: aliceAccount.id, peer: 'bob@localhost', enabled: false })
    const sent = alice.next('messages:updated', (m) => m.body === 'from alice, this client' && m.state === 'acked')
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'from alice, this client' })
    await sent

    // A second client of alice that was never online before: its first sync fetches the latest page.
    const laptop = await startCore(server)
    try {
      const account = await addOnlineAccount(laptop, server, 'alice', 'alice-pw')
      const history = await laptop.core.request('messages:list', { accountId: account.id, peer: 'bob@localhost', limit: 500 })
      const own = history.filter((m) => m.body === 'from alice, this client')
      expect(own).toEqual([expect.objectContaining({ direction: 'out', fromOtherDevice: true })])
      expect(history.filter((m) => m.direction === 'in')).toHaveLength(6)

      const again = await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'bob@localhost', limit: 500 })
      expect(again.filter((m) => m.body === 'from alice, this client')).toHaveLength(1)
    } finally {
      await laptop.close()
    }
  })

  it('pages through a long absence with RSM (more than two pages of 100), in order, exactly once', async () => {
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: false })
    // Alice's phone is online meanwhile, so the server delivers to it and keeps nothing in offline
    // storage: this client can only learn of these messages from the archive.
    const phone = await connectRawClient(server, 'alice', 'alice-pw')
    const many = Array.from({ length: 230 }, (_, i) => `long absence ${String(i + 1).padStart(3, '0')}`)
    const lastAcked = bob.next('messages:updated', (m) => m.body === many.at(-1) && m.state === 'acked')
    for (const body of many) await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body })
    await lastAcked
    // The phone has no OMEMO: it only sees that 230 (encrypted) messages from bob arrived.
    const fromBob = () => phone.received.filter((stanza) => stanza.is('message') && stanza.attrs.from?.startsWith('bob@localhost/')).length
    await waitFor(() => fromBob() >= many.length, { timeoutMs: 20_000, description: "the phone's copies of bob's messages" })
    await phone.close()

    const previousSync = (await alice.core.request('accounts:list', {}))[0]!.lastSyncedAt ?? 0
    const synced = accountReaches(alice, aliceAccount.id, (a) => a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) > previousSync)
    await alice.core.request('accounts:setEnabled', { accountId: aliceAccount.id, enabled: true })
    await synced
    const bodies = (await bodiesIn(alice, aliceAccount.id, 'bob@localhost')).filter((body) => body.startsWith('long absence'))
    expect(bodies).toEqual(many)
    // Each page is acknowledged early (XEP-0198 <a/>); a wrong count would make Prosody close the stream.
    expect(await readFile(server.logFile, 'utf8')).not.toContain(OVERCOUNTED_ACK_WARNING)
  })
})
