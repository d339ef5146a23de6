import xml, { type Element } from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rosterGet, rosterSet } from '../../main/core/xmpp/stanzas/roster.ts'
import { startAliceAndBob, stopAll, type AliceAndBob } from '../helpers/core-harness.ts'
import { connectRawClient, type RawClient } from '../helpers/raw-client.ts'

let world: AliceAndBob
/** Another client of alice's account: what the server's roster really says, and a second client's edits. */
let aliceElsewhere: RawClient

beforeAll(async () => {
  world = await startAliceAndBob()
  aliceElsewhere = await connectRawClient(world.server, 'alice', 'alice-pw')
})

afterAll(async () => {
  await aliceElsewhere?.close()
  await stopAll(world?.server, world?.alice, world?.bob)
})

/** alice's roster item for bob as the server has it (RFC 6121 §2.1.3 roster get). */
async function serverItem(): Promise<{ name: string | undefined; subscription: string | undefined; groups: string[] }> {
  const result = await aliceElsewhere.request(xml('iq', { type: 'get' }, rosterGet()))
  const item = result.getChild('query')?.getChildren('item').find((candidate: Element) => candidate.attrs.jid === 'bob@localhost')
  if (!item) throw new Error("bob is not in alice's roster on the server")
  return { name: item.attrs.name, subscription: item.attrs.subscription, groups: item.getChildren('group').map((group: Element) => group.text()) }
}

const bobOnAlice = (match: (contact: { name: string | null; subscription: string }) => boolean) =>
  world.alice.next('roster:changed', (contact) => contact.jid === 'bob@localhost' && match(contact))

describe('contacts: names are kept unless the user changes them', () => {
  it('alice and bob share presence (subscription both)', async () => {
    const { alice, bob, aliceAccount, bobAccount } = world
    const asked = bob.next('roster:changed', (c) => c.jid === 'alice@localhost' && c.pendingIn)
    await alice.core.request('roster:add', { accountId: aliceAccount.id, jid: 'bob@localhost', name: 'Bobby' })
    await asked
    const both = bobOnAlice((c) => c.subscription === 'both')
    await bob.core.request('roster:respond', { accountId: bobAccount.id, jid: 'alice@localhost', accept: true })
    await both
    expect(await serverItem()).toEqual({ name: 'Bobby', subscription: 'both', groups: [] })
  })

  it('renaming changes the name only: the subscription and the groups another client set stay (RFC 6121 §2.4)', async () => {
    const { alice, aliceAccount } = world
    const grouped = bobOnAlice(() => true)
    await aliceElsewhere.request(xml('iq', { type: 'set' }, rosterSet('bob@localhost', { name: 'Bobby', groups: ['Friends'] })))
    await grouped

    const pushed = bobOnAlice((c) => c.name === 'Robert')
    const renamed = await alice.core.request('roster:rename', { accountId: aliceAccount.id, jid: 'bob@localhost', name: '  Robert ' })
    expect(renamed).toMatchObject({ jid: 'bob@localhost', name: 'Robert', subscription: 'both', inRoster: true })
    await pushed
    expect(await serverItem()).toEqual({ name: 'Robert', subscription: 'both', groups: ['Friends'] })
    expect(await alice.core.request('roster:list', { accountId: aliceAccount.id })).toEqual([
      expect.objectContaining({ jid: 'bob@localhost', name: 'Robert', subscription: 'both' }),
    ])
  })

  it('adding an existing contact again without a name keeps its name and groups', async () => {
    const { alice, aliceAccount } = world
    const readded = await alice.core.request('roster:add', { accountId: aliceAccount.id, jid: 'bob@localhost' })
    expect(readded).toMatchObject({ name: 'Robert', subscription: 'both' })
    // The server answers the roster set with a push (RFC 6121 §2.1.6); once it is in, the stored name must still be there.
    expect(await serverItem()).toEqual({ name: 'Robert', subscription: 'both', groups: ['Friends'] })
    const stored = await alice.core.request('roster:list', { accountId: aliceAccount.id })
    expect(stored).toEqual([expect.objectContaining({ jid: 'bob@localhost', name: 'Robert', subscription: 'both' })])
  })

  it('an empty name removes it; a stranger cannot be renamed', async () => {
    const { alice, aliceAccount } = world
    const cleared = bobOnAlice((c) => c.name === null)
    const renamed = await alice.core.request('roster:rename', { accountId: aliceAccount.id, jid: 'bob@localhost', name: '' })
    expect(renamed).toMatchObject({ name: null, subscription: 'both' })
    await cleared
    expect(await serverItem()).toEqual({ name: undefined, subscription: 'both', groups: ['Friends'] })

    const stranger = await alice.core.call('roster:rename', { accountId: aliceAccount.id, jid: 'nobody@localhost', name: 'X' })
    expect(stranger).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })
})
