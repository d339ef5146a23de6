import type { Element } from '@xmpp/xml'

/** What the per-account services (roster, chat, archive) need from the live connection. */
export interface XmppLink {
  readonly accountId: number
  readonly ownBareJid: string
  isOnline(): boolean
  /** Sends a stanza; rejects when not connected. */
  send(element: Element): Promise<void>
  /** Sends an IQ and resolves with the result stanza; rejects on an error reply or timeout. */
  request(iq: Element, timeoutMs?: number): Promise<Element>
  /** XEP-0198 §4: tells the server now how many stanzas we have received (no-op without stream management). */
  acknowledgeStanzas(): void
}
