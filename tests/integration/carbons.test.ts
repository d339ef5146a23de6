import xml from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { addOnlineAccount, messageArrives, startCore, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient, type RawClient } from '../helpers/raw-client.ts'

let server: ProsodyServer
let aliceDesk: TestCore
let aliceLaptop: TestCore
let bob: TestCore
let deskAccount: AccountDto
let laptopAccount: AccountDto
let bobAccount: AccountDto
let mallory: RawClient

beforeAll(async () => {
  server = await startProsody({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'mallory', password: 'mallory-pw' },
    ],
  })
  ;[aliceDesk, aliceLaptop, bob] = await Promise.all([startCore(server), startCore(server), startCore(server)])
  ;[deskAccount, laptopAccount, bobAccount] = await Promise.all([
    addOnlineAccount(aliceDesk, server, 'alice', 'alice-pw'),
    addOnlineAccount(aliceLaptop, server, 'alice', 'alice-pw'),
    addOnlineAccount(bob, server, 'bob', 'bob-pw'),
  ])
  mallory = await connectRawClient(server, 'mallory', 'mallory-pw')
})

afterAll(async () => {
  await mallory?.close()
  await Promise.all([aliceDesk?.close(), aliceLaptop?.close(), bob?.close()])
  await server?.dispose()
})

describe('XEP-0280 carbons between two clients of the same account', () => {
  it('a message sent from one client shows on the other as sent (from another device)', async () => {
    const onLaptop = messageArrives(aliceLaptop, (m) => m.body === 'sent from the desk')
    const atBob = messageArrives(bob, (m) => m.body === 'sent from the desk')
    await aliceDesk.core.request('messages:send', { accountId: deskAccount.id, to: 'bob@localhost', body: 'sent from the desk' })
    const carbon = await onLaptop
    expect(carbon).toMatchObject({ direction: 'out', peer: 'bob@localhost', fromOtherDevice: true })
    await atBob
    const laptopHistory = await aliceLaptop.core.request('messages:list', { accountId: laptopAccount.id, peer: 'bob@localhost' })
    expect(laptopHistory.filter((m) => m.body === 'sent from the desk')).toHaveLength(1)
  })

  it('a message to alice reaches both of her clients', async () => {
    const onDesk = messageArrives(aliceDesk, (m) => m.body === 'for all of alice')
    const onLaptop = messageArrives(aliceLaptop, (m) => m.body === 'for all of alice')
    await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body: 'for all of alice' })
    const [desk, laptop] = await Promise.all([onDesk, onLaptop])
    expect(desk).toMatchObject({ direction: 'in', peer: 'bob@localhost' })
    expect(laptop).toMatchObject({ direction: 'in', peer: 'bob@localhost' })
  })

  it('ignores a forged carbon whose outer from is a contact, not our own bare JID (CVE-2017-5589)', async () => {
    const forged = (kind: 'sent' | 'received') =>
      xml(
        'message',
        { to: 'alice@localhost', type: 'chat', id: `forged-${kind}` },
        xml(
          kind,
          { xmlns: 'urn:xmpp:carbons:2' },
          xml(
            'forwarded',
            { xmlns: 'urn:xmpp:forward:0' },
            xml('message', { from: kind === 'sent' ? 'alice@localhost/desk' : 'bob@localhost/phone', to: kind === 'sent' ? 'bob@localhost' : 'alice@localhost', type: 'chat', id: `inner-${kind}` }, xml('body', {}, `FORGED ${kind}`)),
          ),
        ),
      )
    const sentinel = messageArrives(aliceDesk, (m) => m.body === 'sentinel after the forgeries')
    await mallory.send(forged('sent'))
    await mallory.send(forged('received'))
    await mallory.send(xml('message', { to: 'alice@localhost', type: 'chat', id: 'sentinel' }, xml('body', {}, 'sentinel after the forgeries')))
    const arrived = await sentinel
    expect(arrived.peer).toBe('mallory@localhost')

    const bodies = aliceDesk.seen.filter((e) => e.event === 'messages:received').map((e) => (e.payload as { body: string }).body)
    expect(bodies).not.toContain('FORGED sent')
    expect(bodies).not.toContain('FORGED received')
    for (const peer of ['bob@localhost', 'mallory@localhost']) {
      const history = await aliceDesk.core.request('messages:list', { accountId: deskAccount.id, peer })
      expect(history.map((m) => m.body).join('|')).not.toContain('FORGED')
    }
  })
})
