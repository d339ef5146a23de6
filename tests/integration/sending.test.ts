import xml, { type Element } from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, MessageDto } from '../../preload/api.ts'
import { accountReaches, addOnlineAccount, messageArrives, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient, type RawClient } from '../helpers/raw-client.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * Sending is never silently wrong (issue 9): plaintext only by the chat's explicit choice, the conversation says
 * what the next message will be, every failure becomes the message's state with a reason code and can be retried,
 * bounces included; room invitations are invitations, not chats with the room.
 * Carol has no OMEMO client at all: a raw client shows exactly what reaches her.
 */

let server: ProsodyServer
let alice: TestCore
let bob: TestCore
let aliceAccount: AccountDto
let bobAccount: AccountDto
let carol: RawClient
let bobDevice: number

const send = (to: string, body: string) => alice.core.request('messages:send', { accountId: aliceAccount.id, to, body })
const conversation = (peer: string) => alice.core.request('conversations:get', { accountId: aliceAccount.id, peer })
const retry = (message: MessageDto) => alice.core.request('messages:retry', { accountId: aliceAccount.id, messageId: message.id })
const bodiesAtCarol = () => carol.received.filter((s) => s.is('message')).map((s) => s.getChildText('body'))

/** Waits until carol's client got a message with this body; returns every body she got so far, in order. */
async function carolReceives(body: string): Promise<(string | null)[]> {
  await waitFor(() => bodiesAtCarol().includes(body), { timeoutMs: 20_000, description: `carol receiving "${body}"` })
  return bodiesAtCarol()
}

beforeAll(async () => {
  server = await startProsody({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'carol', password: 'carol-pw' },
    ],
  })
  ;[alice, bob] = await Promise.all([startCore(server), startCore(server)])
  ;[aliceAccount, bobAccount] = await Promise.all([addOnlineAccount(alice, server, 'alice', 'alice-pw'), addOnlineAccount(bob, server, 'bob', 'bob-pw')])
  bobDevice = (await bob.core.request('omemo:ownDevice', { accountId: bobAccount.id })).deviceId
  carol = await connectRawClient(server, 'carol', 'carol-pw')
})

afterAll(async () => {
  await carol?.close()
  await stopAll(server, alice, bob)
})

describe('plaintext is always a deliberate choice', () => {
  it('a contact without OMEMO devices: the chat asks first, and nothing leaves until the user chooses plaintext', async () => {
    expect((await conversation('carol@localhost')).encryption).toMatchObject({ choice: null, next: 'ask-plain', contact: { total: 0 } })
    const refused = await send('carol@localhost', 'not without asking')
    expect(refused).toMatchObject({ state: 'failed', failure: { code: 'plaintext-not-chosen' }, encryption: 'none' })

    const chosen = await alice.core.request('omemo:setConversationEncryption', { accountId: aliceAccount.id, peer: 'carol@localhost', enabled: false })
    expect(chosen.encryption).toMatchObject({ choice: false, next: 'plain' })
    await send('carol@localhost', 'plain, as chosen')
    // One stream, in order: had the refused message gone out, carol would have had it first.
    expect(await carolReceives('plain, as chosen')).not.toContain('not without asking')

    // Retrying the refused one now sends it as the chat is set: unencrypted.
    expect(await retry(refused)).toMatchObject({ state: expect.stringMatching(/^(sent|acked)$/u), failure: null, encryption: 'none' })
    await carolReceives('not without asking')
  })

  it('turning encryption on for such a contact blocks sending instead of falling back to plaintext', async () => {
    const on = await alice.core.request('omemo:setConversationEncryption', { accountId: aliceAccount.id, peer: 'carol@localhost', enabled: true })
    expect(on.encryption.next).toBe('blocked')
    expect(await send('carol@localhost', 'never in plaintext')).toMatchObject({ state: 'failed', failure: { code: 'no-devices' }, encryption: 'omemo' })
    await alice.core.request('omemo:setConversationEncryption', { accountId: aliceAccount.id, peer: 'carol@localhost', enabled: false })
    await send('carol@localhost', 'after the blocked one')
    expect(await carolReceives('after the blocked one')).not.toContain('never in plaintext')
  })
})

describe('the conversation tells the truth about the next message', () => {
  it('the only device distrusted: "blocked", the message fails with the reason and can be sent once trusted', async () => {
    expect((await conversation('bob@localhost')).encryption).toMatchObject({ next: 'omemo', contact: { total: 1, usable: 1 } })
    await alice.core.request('trust:setDevice', { accountId: aliceAccount.id, jid: 'bob@localhost', deviceId: bobDevice, trust: 'distrusted' })
    expect((await conversation('bob@localhost')).encryption).toMatchObject({ next: 'blocked', contact: { total: 1, usable: 0, distrusted: 1 } })

    const failed = await send('bob@localhost', 'for a distrusted device')
    expect(failed).toMatchObject({ state: 'failed', failure: { code: 'no-usable-devices' } })
    expect(failed.encryptionReport?.skipped).toEqual([{ jid: 'bob@localhost', deviceId: bobDevice, reason: 'untrusted' }])

    await alice.core.request('trust:setDevice', { accountId: aliceAccount.id, jid: 'bob@localhost', deviceId: bobDevice, trust: 'blind' })
    const arrives = messageArrives(bob, (m) => m.body === 'for a distrusted device')
    expect(await retry(failed)).toMatchObject({ failure: null, encryption: 'omemo' })
    await arrives
    const atBob = (await bob.core.request('messages:list', { accountId: bobAccount.id, peer: 'alice@localhost' })).filter((m) => m.body === 'for a distrusted device')
    expect(atBob).toHaveLength(1)
  })

  it('a chat with our own address and no other device of ours is never "encrypted"', async () => {
    const own = await conversation('alice@localhost')
    expect(own.encryption.contact.total).toBe(0)
    expect(own.encryption.next).not.toBe('omemo')
  })
})

describe('delivery errors', () => {
  it('a message the server bounces (no such user) becomes failed with the condition, and can be retried', async () => {
    await alice.core.request('omemo:setConversationEncryption', { accountId: aliceAccount.id, peer: 'nobody@localhost', enabled: false })
    const bounced = alice.next('messages:updated', (m) => m.peer === 'nobody@localhost' && m.state === 'failed')
    const sent = await send('nobody@localhost', 'to an address that does not exist')
    expect(await bounced).toMatchObject({ id: sent.id, failure: { code: 'bounced', detail: 'service-unavailable' } })
    const bouncedAgain = alice.next('messages:updated', (m) => m.id === sent.id && m.state === 'failed')
    expect((await retry(await bounced)).failure).toBeNull()
    expect((await bouncedAgain).failure?.code).toBe('bounced')
  })

  it('a bounce from someone else for our message id changes nothing', async () => {
    const delivered = alice.next('messages:updated', (m) => m.peer === 'carol@localhost' && m.state === 'acked')
    const sent = await send('carol@localhost', 'carol really got this')
    await delivered
    const id = (await carolReceives('carol really got this')) && carol.received.filter((s) => s.is('message')).at(-1)!.attrs.id
    // Bob claims the message bounced: only the addressee (or its server) can say that.
    const forger = await connectRawClient(server, 'bob', 'bob-pw')
    try {
      const marker = messageArrives(alice, (m) => m.body === 'after the forged bounce')
      await forger.send(xml('message', { to: 'alice@localhost', type: 'error', id }, xml('error', { type: 'cancel' }, xml('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))))
      await forger.send(xml('message', { to: 'alice@localhost', type: 'chat', id: 'marker' }, xml('body', {}, 'after the forged bounce')))
      await marker
    } finally {
      await forger.close()
    }
    const now = (await alice.core.request('messages:list', { accountId: aliceAccount.id, peer: 'carol@localhost' })).find((m) => m.id === sent.id)
    expect(now).toMatchObject({ failure: null, state: 'acked' })
  })
})

describe('room invitations are invitations, not chats with the room', () => {
  const room = 'plans@conference.localhost'

  it("a direct invitation (XEP-0249) is an invitation in the inviter's conversation", async () => {
    const arrives = messageArrives(alice, (m) => m.kind === 'invitation' && !m.invitation?.mediated)
    await carol.send(
      xml('message', { to: 'alice@localhost', id: 'direct-invite' }, xml('x', { xmlns: 'jabber:x:conference', jid: room, reason: 'Join our plans' }), xml('body', {}, `carol invites you to ${room}`)),
    )
    expect(await arrives).toMatchObject({ peer: 'carol@localhost', direction: 'in', invitation: { room, reason: 'Join our plans', mediated: false } })
  })

  /** Carol creates a room (an instant room, XEP-0045 §10.1.2), anonymous or not, and asks it to invite alice. */
  async function inviteThroughRoom(name: string, whois: 'anyone' | 'moderators', reason: string): Promise<MessageDto> {
    const address = `${name}@conference.localhost`
    await carol.send(xml('presence', { to: `${address}/carol` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })))
    await waitFor(() => carol.received.some((s: Element) => s.is('presence') && s.attrs.from === `${address}/carol`), { timeoutMs: 20_000, description: 'carol in the room' })
    const field = (variable: string, value: string) => xml('field', { var: variable }, xml('value', {}, value))
    await carol.request(
      xml('iq', { type: 'set', to: address }, xml('query', { xmlns: 'http://jabber.org/protocol/muc#owner' },
        xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig'), field('muc#roomconfig_whois', whois)))),
    )
    const arrives = messageArrives(alice, (m) => m.kind === 'invitation' && m.invitation?.room === address)
    await carol.send(xml('message', { to: address }, xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, xml('invite', { to: 'alice@localhost' }, xml('reason', {}, reason)))))
    return arrives
  }

  it("a mediated invitation (XEP-0045 §7.8.2) from a non-anonymous room is the inviter's; no conversation with the room appears", async () => {
    expect(await inviteThroughRoom('open-plans', 'anyone', 'Come in')).toMatchObject({ peer: 'carol@localhost', invitation: { room: 'open-plans@conference.localhost', reason: 'Come in', mediated: true } })
    const peers = (await alice.core.request('conversations:list', { accountId: aliceAccount.id })).map((c) => c.peer)
    expect(peers).not.toContain('open-plans@conference.localhost')
  })

  it('from a semi-anonymous room (inviter unknown) it is an invitation under the room, never a chat message', async () => {
    expect(await inviteThroughRoom('hidden-plans', 'moderators', 'Psst')).toMatchObject({
      peer: 'hidden-plans@conference.localhost',
      kind: 'invitation',
      body: 'Psst',
      invitation: { room: 'hidden-plans@conference.localhost', mediated: true },
    })
  })
})

describe('an account that comes back', () => {
  it('keeps its drafts', async () => {
    await alice.core.request('conversations:setDraft', { accountId: aliceAccount.id, peer: 'bob@localhost', draft: 'half a thought' })
    const { dataDir, key } = alice
    await alice.close({ keepData: true })
    alice = await startCore(server, { dataDir, key })
    await accountReaches(alice, aliceAccount.id, (a) => a.state === 'online')
    expect((await conversation('bob@localhost')).draft).toBe('half a thought')
  })
})
