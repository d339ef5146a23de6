import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { type TestCore, accountReaches, messageArrives, startAliceAndBob, stopAll } from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'

let server: ProsodyServer
let alice: TestCore
let bob: TestCore
let aliceAccount: AccountDto
let bobAccount: AccountDto

beforeAll(async () => {
  ;({ server, alice, bob, aliceAccount, bobAccount } = await startAliceAndBob())
})

afterAll(() => stopAll(server, alice, bob))

describe('two accounts on a real server', () => {
  it('subscribe, approve (and ask back), then see each other online', async () => {
    const request = bob.next('roster:changed', (c) => c.jid === 'alice@localhost' && c.pendingIn)
    await alice.core.request('roster:add', { accountId: aliceAccount.id, jid: 'bob@localhost', name: 'Bob' })
    await request
    const pendingOnBob = await bob.core.request('roster:list', { accountId: bobAccount.id })
    expect(pendingOnBob).toContainEqual(expect.objectContaining({ jid: 'alice@localhost', pendingIn: true }))

    const aliceSeesBoth = alice.next('roster:changed', (c) => c.jid === 'bob@localhost' && c.subscription === 'both')
    const aliceSeesBobOnline = alice.next('roster:changed', (c) => c.jid === 'bob@localhost' && c.presence === 'online')
    const bobAsked = bob.next('roster:changed', (c) => c.jid === 'alice@localhost' && c.subscription === 'both')
    await bob.core.request('roster:respond', { accountId: bobAccount.id, jid: 'alice@localhost', accept: true })
    await Promise.all([aliceSeesBoth, aliceSeesBobOnline, bobAsked])

    const roster = await alice.core.request('roster:list', { accountId: aliceAccount.id })
    expect(roster).toEqual([expect.objectContaining({ jid: 'bob@localhost', name: 'Bob', subscription: 'both', presence: 'online', pendingIn: false })])
  })

  it('a message from alice arrives at bob, and alice sees it acked by the server and delivered to bob', async () => {
    const arrives = messageArrives(bob, (m) => m.body === 'Hello Bob 👋')
    const delivered = alice.next('messages:updated', (m) => m.body === 'Hello Bob 👋' && m.state === 'delivered')
    const sent = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'Hello Bob 👋' })
    expect(sent).toMatchObject({ direction: 'out', peer: 'bob@localhost' })

    const received = await arrives
    expect(received).toMatchObject({ direction: 'in', peer: 'alice@localhost', state: 'received', fromOtherDevice: false })
    await delivered
    const states = alice.seen.filter((e) => e.event === 'messages:updated' && (e.payload as { id: number }).id === sent.id).map((e) => (e.payload as { state: string }).state)
    expect(states).toContain('sent')
    expect(states.at(-1)).toBe('delivered')

    const history = await bob.core.request('messages:list', { accountId: bobAccount.id, peer: 'alice@localhost' })
    expect(history.map((m) => m.body)).toEqual(['Hello Bob 👋'])
    const conversations = await bob.core.request('conversations:list', { accountId: bobAccount.id })
    expect(conversations).toEqual([expect.objectContaining({ peer: 'alice@localhost', unread: 1 })])
    const read = await bob.core.request('conversations:markRead', { accountId: bobAccount.id, peer: 'alice@localhost' })
    expect(read.unread).toBe(0)
  })

  it('answers in the other direction, in order', async () => {
    const bodies = ['one', 'two', 'three']
    const last = messageArrives(alice, (m) => m.body === 'three')
    for (const body of bodies) await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body })
    await last
    const history = await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'bob@localhost' })
    expect(history.map((m) => m.body)).toEqual(['Hello Bob 👋', 'one', 'two', 'three'])
  })

  it('a contact going offline is shown offline', async () => {
    const offline = alice.next('roster:changed', (c) => c.jid === 'bob@localhost' && c.presence === 'offline')
    await bob.core.request('accounts:setEnabled', { accountId: bobAccount.id, enabled: false })
    await offline
    const online = accountReaches(bob, bobAccount.id, (a) => a.state === 'online')
    await bob.core.request('accounts:setEnabled', { accountId: bobAccount.id, enabled: true })
    await online
  })
})
