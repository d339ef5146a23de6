import { randomUUID } from 'node:crypto'
import type { Element } from '@xmpp/xml'
import type { MessageDto } from '../../../preload/api.ts'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import type { CoreEvents } from '../events.ts'
import type { Store } from '../store/store.ts'
import type { MessageRow } from '../store/repos/messages-repo.ts'
import { chatMessage } from '../xmpp/stanzas/chat-message.ts'
import { conversationDto, toMessageDto } from './message-dto.ts'

/**
 * Outgoing messages: stored first (state queued) so nothing typed offline is lost, then sent when
 * online. States: queued → sent (written) → acked (XEP-0198 ack) → delivered (XEP-0184 receipt).
 */
export class Outbox {
  readonly #link: XmppLink
  readonly #store: Store
  readonly #events: CoreEvents
  readonly #clock: () => number
  readonly #inFlight = new Set<number>()

  constructor(deps: { link: XmppLink; store: Store; events: CoreEvents; clock: () => number }) {
    this.#link = deps.link
    this.#store = deps.store
    this.#events = deps.events
    this.#clock = deps.clock
  }

  async send(to: string, body: string): Promise<MessageDto> {
    const accountId = this.#link.accountId
    const row = this.#store.messages.insert({
      account_id: accountId,
      peer: to,
      direction: 'out',
      body,
      timestamp: this.#clock(),
      state: 'queued',
      // XEP-0359: the same id as message id and origin-id, so receipts and archive copies match it.
      origin_id: randomUUID(),
      stanza_id: null,
      remote_id: null,
      from_other_device: 0,
      read: 1,
    })
    this.#events.emit('messages:received', toMessageDto(row))
    this.#events.emit('conversations:changed', conversationDto(this.#store.messages, accountId, to))
    if (this.#link.isOnline()) await this.#transmit(row)
    return toMessageDto(this.#store.messages.get(row.id)!)
  }

  /**
   * After (re)connecting: send everything still queued. On a fresh session (not resumed), messages
   * that were written but never acknowledged are sent again; receivers dedupe them by origin-id.
   */
  async flush(resumed: boolean): Promise<void> {
    for (const row of this.#store.messages.unsent(this.#link.accountId)) {
      if (resumed && row.state === 'sent') continue
      if (!this.#link.isOnline()) return
      await this.#transmit(row)
    }
  }

  /** XEP-0198: the server acknowledged a stanza we sent. */
  onAcked(stanza: Element): void {
    if (!stanza.is('message') || !stanza.attrs.id || !stanza.attrs.to) return
    const row = this.#store.messages.findByOriginId(this.#link.accountId, stanza.attrs.to, 'out', stanza.attrs.id)
    if (row?.state === 'sent') this.#setState(row, 'acked')
  }

  async #transmit(row: MessageRow): Promise<void> {
    if (this.#inFlight.has(row.id) || !row.origin_id) return
    this.#inFlight.add(row.id)
    try {
      await this.#link.send(chatMessage(row.peer, row.origin_id, row.body))
      const current = this.#store.messages.get(row.id)
      if (current && (current.state === 'queued' || current.state === 'sent')) this.#setState(current, 'sent')
    } catch {
      // Still queued; the next flush after reconnecting sends it.
    } finally {
      this.#inFlight.delete(row.id)
    }
  }

  #setState(row: MessageRow, state: MessageRow['state']): void {
    if (row.state === state) return
    this.#store.messages.setState(row.id, state)
    this.#events.emit('messages:updated', toMessageDto({ ...row, state }))
  }
}
