import xml, { type Element } from '@xmpp/xml'
import type { ContactDto } from '../../../preload/api.ts'
import { CoreError } from '../errors.ts'
import type { CoreEvents } from '../events.ts'
import type { Store } from '../store/store.ts'
import { inTransaction } from '../store/db.ts'
import type { ContactRow } from '../store/repos/contacts-repo.ts'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import { bareJid, resourceOf } from '../xmpp/jid.ts'
import { parseAvailablePresence } from '../xmpp/stanzas/presence.ts'
import { parseRosterItems, rosterGet, rosterSet, subscriptionPresence, type RosterItem } from '../xmpp/stanzas/roster.ts'
import { toContactDto } from './contact-dto.ts'
import { PresenceTracker } from './presence-tracker.ts'

/** Roster (RFC 6121 §2), subscriptions (§3) and presence (§4) of one account. */
export class RosterService {
  readonly #link: XmppLink
  readonly #store: Store
  readonly #events: CoreEvents
  readonly presence = new PresenceTracker()

  constructor(link: XmppLink, store: Store, events: CoreEvents) {
    this.#link = link
    this.#store = store
    this.#events = events
  }

  list(): ContactDto[] {
    return this.#store.contacts.list(this.#link.accountId).map((row) => this.#dto(row))
  }

  contact(jid: string): ContactDto | null {
    const row = this.#store.contacts.get(this.#link.accountId, jid)
    return row ? this.#dto(row) : null
  }

  /** Can we tell this contact that a message arrived (XEP-0184 §8: only to those who see our presence)? */
  sharesPresenceWith(jid: string): boolean {
    const subscription = this.#store.contacts.get(this.#link.accountId, jid)?.subscription
    return subscription === 'from' || subscription === 'both'
  }

  /** RFC 6121 §2.1.3: fetch the whole roster after login and make the stored copy match it. */
  async fetch(): Promise<void> {
    const result = await this.#link.request(xml('iq', { type: 'get' }, rosterGet()))
    const items = parseRosterItems(result.getChild('query'))
    const accountId = this.#link.accountId
    const changed = inTransaction(this.#store.db, () => {
      const seen = new Set(items.map((item) => item.jid))
      const touched = items.map((item) => this.#applyItem(item))
      for (const row of this.#store.contacts.list(accountId)) {
        if (row.in_roster === 1 && !seen.has(row.jid)) touched.push(this.#dropFromRoster(row.jid))
      }
      return touched
    })
    for (const row of changed) this.#emit(row)
  }

  /** RFC 6121 §2.1.6: a roster push is accepted only from our own account (no from, or our bare JID). */
  handlePush(iq: Element): boolean {
    // RFC 6121 §2.1.6: only from our server (no from) or our bare JID; not from a contact, and not from another
    // resource of our own account (a full JID), which could otherwise rewrite the roster this client shows.
    const from = iq.attrs.from
    if (from !== undefined && (from.includes('/') || bareJid(from) !== this.#link.ownBareJid)) return false
    for (const item of parseRosterItems(iq.getChild('query'))) this.#emit(this.#applyItem(item))
    return true
  }

  handlePresence(presence: Element): void {
    const contact = bareJid(presence.attrs.from)
    if (!contact || contact === this.#link.ownBareJid) return
    const resource = resourceOf(presence.attrs.from)
    switch (presence.attrs.type) {
      case undefined:
        this.presence.set(contact, resource, parseAvailablePresence(presence))
        break
      case 'unavailable':
        this.presence.remove(contact, resource)
        break
      case 'subscribe': {
        // RFC 6121 §3.1.3: approve without asking the user if we already let them see our presence, or
        // if we added them ourselves (asked for their presence): the client-side form of §3.4 pre-approval.
        const row = this.#store.contacts.get(this.#link.accountId, contact)
        const alreadyAllowed = row?.subscription === 'from' || row?.subscription === 'both'
        const addedByUs = row?.in_roster === 1 && (row.pending_out === 1 || row.subscription === 'to')
        if (alreadyAllowed || addedByUs) {
          void this.#link.send(subscriptionPresence(contact, 'subscribed')).catch(() => undefined)
          return
        }
        this.#emit(this.#store.contacts.update(this.#link.accountId, contact, (r) => (r.pending_in = 1)))
        return
      }
      case 'unsubscribed':
        this.#emit(this.#store.contacts.update(this.#link.accountId, contact, (r) => (r.pending_out = 0)))
        return
      default:
        return
    }
    const row = this.#store.contacts.get(this.#link.accountId, contact)
    if (row) this.#emit(row)
  }

  /** We went offline: nobody's presence is known any more. */
  forgetPresence(): void {
    for (const contact of this.presence.clear()) {
      const row = this.#store.contacts.get(this.#link.accountId, contact)
      if (row) this.#emit(row)
    }
  }

  /**
   * RFC 6121 §2.3 + §3.1.1: add to the roster and ask to see their presence. Adding a contact that is in the
   * roster already is an update (§2.4): without a name, the name it has is kept, and so are its groups.
   */
  async add(jid: string, name: string | undefined): Promise<ContactDto> {
    this.#requireOnline()
    if (jid === this.#link.ownBareJid) throw new CoreError('invalid-input', 'You cannot add your own address as a contact')
    await this.#setItem(jid, (current) => name || current?.name || null)
    await this.#link.send(subscriptionPresence(jid, 'subscribe'))
    // RFC 6121 §3.4: pre-approve their request for our presence, so adding is mutual.
    await this.#link.send(subscriptionPresence(jid, 'subscribed'))
    const row = this.#store.contacts.update(this.#link.accountId, jid, (r) => {
      r.in_roster = 1
      r.name = name || r.name
      if (r.subscription === 'none' || r.subscription === 'from') r.pending_out = 1
    })
    this.#emit(row)
    return this.#dto(row)
  }

  /** RFC 6121 §2.4: a new name (empty: none) for a contact in the roster; its subscription and groups stay. */
  async rename(jid: string, name: string): Promise<ContactDto> {
    this.#requireOnline()
    if (this.#store.contacts.get(this.#link.accountId, jid)?.in_roster !== 1) throw new CoreError('not-found', `${jid} is not in your contacts`)
    await this.#setItem(jid, () => name || null)
    const row = this.#store.contacts.update(this.#link.accountId, jid, (r) => (r.name = name || null))
    this.#emit(row)
    return this.#dto(row)
  }

  /** RFC 6121 §3.1.4/§3.1.5: approve or deny a subscription request; approving also asks back. */
  async respond(jid: string, accept: boolean): Promise<ContactDto | null> {
    this.#requireOnline()
    const existing = this.#store.contacts.get(this.#link.accountId, jid)
    if (!existing?.pending_in) throw new CoreError('not-found', `There is no pending request from ${jid}`)
    await this.#link.send(subscriptionPresence(jid, accept ? 'subscribed' : 'unsubscribed'))
    const askBack = accept && (existing.subscription === 'none' || existing.subscription === 'from') && existing.pending_out === 0
    if (askBack) await this.#link.send(subscriptionPresence(jid, 'subscribe'))
    if (!accept && existing.in_roster === 0) {
      this.#store.contacts.remove(this.#link.accountId, jid)
      this.#events.emit('roster:removed', { accountId: this.#link.accountId, jid })
      return null
    }
    const row = this.#store.contacts.update(this.#link.accountId, jid, (r) => {
      r.pending_in = 0
      if (askBack) r.pending_out = 1
    })
    this.#emit(row)
    return this.#dto(row)
  }

  /** RFC 6121 §2.5: removing the item also cancels both subscriptions (done by the server). */
  async remove(jid: string): Promise<void> {
    this.#requireOnline()
    await this.#link.request(xml('iq', { type: 'set' }, rosterSet(jid, 'remove')))
  }

  /**
   * A roster set for one item. The item is replaced exactly as sent (§2.4.1) and only the server knows its groups
   * (set by other clients too), so they are read from the server's roster first and sent back unchanged.
   */
  async #setItem(jid: string, nameFor: (current: RosterItem | null) => string | null): Promise<void> {
    const known = this.#store.contacts.get(this.#link.accountId, jid)?.in_roster === 1
    let current: RosterItem | null = null
    if (known) {
      const result = await this.#link.request(xml('iq', { type: 'get' }, rosterGet()))
      current = parseRosterItems(result.getChild('query')).find((item) => item.jid === jid) ?? null
    }
    await this.#link.request(xml('iq', { type: 'set' }, rosterSet(jid, { name: nameFor(current), groups: current?.groups ?? [] })))
  }

  #applyItem(item: RosterItem): ContactRow {
    if (item.subscription === 'remove') return this.#dropFromRoster(item.jid)
    const subscription = item.subscription
    return this.#store.contacts.update(this.#link.accountId, item.jid, (row) => {
      row.in_roster = 1
      row.name = item.name
      row.subscription = subscription
      row.pending_out = item.pendingOut ? 1 : 0
      if (subscription === 'from' || subscription === 'both') row.pending_in = 0
    })
  }

  /** Keeps a stranger's pending request visible; otherwise forgets the contact. */
  #dropFromRoster(jid: string): ContactRow {
    return this.#store.contacts.update(this.#link.accountId, jid, (row) => {
      row.in_roster = 0
      row.subscription = 'none'
      row.pending_out = 0
    })
  }

  #emit(row: ContactRow): void {
    if (row.in_roster === 0 && row.pending_in === 0) {
      this.#store.contacts.remove(row.account_id, row.jid)
      this.#events.emit('roster:removed', { accountId: row.account_id, jid: row.jid })
      return
    }
    this.#events.emit('roster:changed', this.#dto(row))
  }

  #dto(row: ContactRow): ContactDto {
    return toContactDto(row, this.presence.of(row.jid))
  }

  #requireOnline(): void {
    if (!this.#link.isOnline()) throw new CoreError('not-connected', 'This account is not connected right now')
  }
}
