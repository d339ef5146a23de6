import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { type TestCore, accountReaches, messageArrives, startAliceAndBob, startCore, stopAll } from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'

let server: ProsodyServer
let alice: TestCore
let bob: TestCore
let aliceAccount: AccountDto
let bobAccount: AccountDto

beforeAll(async () => {
  ;({ server, alice, bob, aliceAccount, bobAccount } = await startAliceAndBob())
  // Opening the chat (online) learns bob's OMEMO devices, so what alice writes offline is queued encrypted.
  expect((await alice.core.request('conversations:get', { accountId: aliceAccount.id, peer: 'bob@localhost' })).encryption.next).toBe('omemo')
})

afterAll(() => stopAll(server, alice, bob))

describe('nothing typed while the server is down is lost', () => {
  it('queues the message, reconnects with backoff when the server is back, and delivers it', async () => {
    const aliceOffline = accountReaches(alice, aliceAccount.id, (a) => a.state === 'offline' || a.state === 'connecting')
    await server.stop()
    await aliceOffline

    const queued = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'written during the outage' })
    expect(queued.state).toBe('queued')
    const stored = await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'bob@localhost' })
    expect(stored).toEqual([expect.objectContaining({ body: 'written during the outage', state: 'queued' })])

    const arrives = messageArrives(bob, (m) => m.body === 'written during the outage')
    const leftQueue = alice.next('messages:updated', (m) => m.id === queued.id && m.state !== 'queued')
    const bobBack = accountReaches(bob, bobAccount.id, (a) => a.state === 'online')
    await server.start()
    await Promise.all([leftQueue, bobBack])
    const received = await arrives
    expect(received).toMatchObject({ direction: 'in', peer: 'alice@localhost', encryption: 'omemo' })

    const bobHistory = await bob.core.request('messages:list', { accountId: bobAccount.id, peer: 'alice@localhost' })
    expect(bobHistory.filter((m) => m.body === 'written during the outage')).toHaveLength(1)
    const reconnects = alice.seen.filter((e) => e.event === 'accounts:changed' && (e.payload as AccountDto).state === 'connecting')
    expect(reconnects.length).toBeGreaterThan(1)
  })

  it('a message queued in a closed app is sent after the app is opened again', async () => {
    await server.stop()
    const queued = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'queued, then the app was closed' })
    expect(queued.state).toBe('queued')
    const { dataDir, key } = alice
    await alice.close({ keepData: true })
    await server.start()
    const arrives = messageArrives(bob, (m) => m.body === 'queued, then the app was closed')
    alice = await startCore(server, { dataDir, key })
    await arrives
  })
})
