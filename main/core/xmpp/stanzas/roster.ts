import xml, { type Element } from '@xmpp/xml'
import type { Subscription } from '../../../../preload/api.ts'
import { bareJid } from '../jid.ts'
import { NS } from './namespaces.ts'

export interface RosterItem {
  jid: string
  name: string | null
  subscription: Subscription | 'remove'
  pendingOut: boolean
  /** RFC 6121 §2.1.2.4: the groups the item is in (sent back unchanged when the item is updated). */
  groups: string[]
}

const SUBSCRIPTIONS = new Set(['none', 'to', 'from', 'both', 'remove'])

/** RFC 6121 §2.1.2: the items of a roster result or push; invalid items are skipped. */
export function parseRosterItems(query: Element | undefined): RosterItem[] {
  if (!query) return []
  return query.getChildren('item').flatMap((item) => {
    const jid = bareJid(item.attrs.jid)
    const subscription = item.attrs.subscription ?? 'none'
    if (!jid || !SUBSCRIPTIONS.has(subscription)) return []
    const groups = [...new Set(item.getChildren('group').map((group) => group.text()).filter((group) => group.length > 0))]
    return [{ jid, name: item.attrs.name || null, subscription: subscription as RosterItem['subscription'], pendingOut: item.attrs.ask === 'subscribe', groups }]
  })
}

export const rosterGet = () => xml('query', { xmlns: NS.roster })

/**
 * RFC 6121 §2.3 (add), §2.4 (update) and §2.5 (remove). An item is replaced exactly as sent (§2.4.1), so an
 * update must carry the name and groups it keeps; the subscription is never sent (§2.1.2.5), the server keeps it.
 */
export function rosterSet(jid: string, change: { name?: string | null; groups?: readonly string[] } | 'remove'): Element {
  if (change === 'remove') return xml('query', { xmlns: NS.roster }, xml('item', { jid, subscription: 'remove' }))
  const groups = (change.groups ?? []).map((group) => xml('group', {}, group))
  return xml('query', { xmlns: NS.roster }, xml('item', { jid, name: change.name ?? undefined }, ...groups))
}

export type SubscriptionPresence = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed'

/** RFC 6121 §3: subscription requests and answers go to the bare JID. */
export function subscriptionPresence(to: string, type: SubscriptionPresence): Element {
  return xml('presence', { to, type })
}
