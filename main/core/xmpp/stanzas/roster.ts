import xml, { type Element } from '@xmpp/xml'
import type { Subscription } from '../../../../preload/api.ts'
import { bareJid } from '../jid.ts'
import { NS } from './namespaces.ts'

export interface RosterItem {
  jid: string
  name: string | null
  subscription: Subscription | 'remove'
  pendingOut: boolean
}

const SUBSCRIPTIONS = new Set(['none', 'to', 'from', 'both', 'remove'])

/** RFC 6121 §2.1.2: the items of a roster result or push; invalid items are skipped. */
export function parseRosterItems(query: Element | undefined): RosterItem[] {
  if (!query) return []
  return query.getChildren('item').flatMap((item) => {
    const jid = bareJid(item.attrs.jid)
    const subscription = item.attrs.subscription ?? 'none'
    if (!jid || !SUBSCRIPTIONS.has(subscription)) return []
    return [{ jid, name: item.attrs.name || null, subscription: subscription as RosterItem['subscription'], pendingOut: item.attrs.ask === 'subscribe' }]
  })
}

export const rosterGet = () => xml('query', { xmlns: NS.roster })

/** RFC 6121 §2.3 (add/update) and §2.5 (remove). */
export function rosterSet(jid: string, change: { name?: string | null } | 'remove'): Element {
  const attrs = change === 'remove' ? { jid, subscription: 'remove' } : { jid, name: change.name ?? undefined }
  return xml('query', { xmlns: NS.roster }, xml('item', attrs))
}

export type SubscriptionPresence = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed'

/** RFC 6121 §3: subscription requests and answers go to the bare JID. */
export function subscriptionPresence(to: string, type: SubscriptionPresence): Element {
  return xml('presence', { to, type })
}
