import xml from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { parseRosterItems, rosterSet } from './roster.ts'

describe('roster stanzas (RFC 6121 §2)', () => {
  it('an update carries the name and the groups it keeps, and never a subscription (§2.4, §2.1.2.5)', () => {
    const set = rosterSet('bob@example.org', { name: 'Bob', groups: ['Friends', 'Work'] })
    const item = set.getChild('item')
    expect(item?.attrs).toEqual({ jid: 'bob@example.org', name: 'Bob' })
    expect(item?.getChildren('group').map((group) => group.text())).toEqual(['Friends', 'Work'])
    expect(rosterSet('bob@example.org', { name: null }).getChild('item')?.attrs).toEqual({ jid: 'bob@example.org' })
    expect(rosterSet('bob@example.org', 'remove').getChild('item')?.attrs).toEqual({ jid: 'bob@example.org', subscription: 'remove' })
  })

  it('parses the groups of an item, without empty or repeated ones', () => {
    const query = xml(
      'query',
      { xmlns: 'jabber:iq:roster' },
      xml('item', { jid: 'bob@example.org', name: 'Bob', subscription: 'both' }, xml('group', {}, 'Friends'), xml('group', {}, ''), xml('group', {}, 'Friends')),
      xml('item', { jid: 'carol@example.org', ask: 'subscribe' }),
    )
    expect(parseRosterItems(query)).toEqual([
      { jid: 'bob@example.org', name: 'Bob', subscription: 'both', pendingOut: false, groups: ['Friends'] },
      { jid: 'carol@example.org', name: null, subscription: 'none', pendingOut: true, groups: [] },
    ])
  })
})
