import type { Element } from '@xmpp/xml'
import type { CoreEvents } from '../events.ts'
import type { Store } from '../store/store.ts'
import type { MessageRow } from '../store/repos/messages-repo.ts'
import { bareJid } from '../xmpp/jid.ts'
import { isOneToOne } from '../xmpp/stanzas/chat-message.ts'
import { delayStamp } from '../xmpp/stanzas/delay.ts'
import { receiptFor } from '../xmpp/stanzas/receipts.ts'
import { originId, trustedStanzaId } from '../xmpp/stanzas/stanza-id.ts'
import { conversationDto, toMessageDto } from './message-dto.ts'

/** Where a message stanza came from; decides direction and which ids can be trusted. */
export type MessageSource =
  | { kind: 'live' }
  | { kind: 'carbon-received' }
  | { kind: 'carbon-sent' }
  | { kind: 'archive'; archiveId: string; timestamp: number | null }

/** What storing one stanza did, for the caller to announce once its transaction has committed. */
export type IngestOutcome =
  | { kind: 'stored'; row: MessageRow }
  | { kind: 'delivered'; row: MessageRow }
  | { kind: 'duplicate' }
  | { kind: 'ignored' }

/**
 * Turns one 1:1 message stanza (already unwrapped from a carbon or an archive result) into a stored
 * message, at most once: XEP-0359 deduplication across live, carbon, offline and archive copies.
 * Receipts (XEP-0184) for our messages mark them delivered.
 */
export class MessageIngest {
  readonly #accountId: number
  readonly #ownBareJid: string
  readonly #store: Store
  readonly #events: CoreEvents
  readonly #clock: () => number

  constructor(deps: { accountId: number; ownBareJid: string; store: Store; events: CoreEvents; clock: () => number }) {
    this.#accountId = deps.accountId
    this.#ownBareJid = deps.ownBareJid
    this.#store = deps.store
    this.#events = deps.events
    this.#clock = deps.clock
  }

  ingest(message: Element, source: MessageSource): IngestOutcome {
    if (!isOneToOne(message)) return { kind: 'ignored' }
    const outgoing = source.kind === 'carbon-sent' || (source.kind === 'archive' && bareJid(message.attrs.from) === this.#ownBareJid)
    const peer = bareJid(outgoing ? message.attrs.to : message.attrs.from)
    if (!peer || peer === this.#ownBareJid) return { kind: 'ignored' }

    const confirmed = receiptFor(message)
    if (confirmed && !outgoing) return this.#markDelivered(peer, confirmed)

    const body = message.getChildText('body')
    if (body === null || body.trim() === '') return { kind: 'ignored' }

    const candidate = {
      peer,
      direction: outgoing ? ('out' as const) : ('in' as const),
      body,
      stanza_id: source.kind === 'archive' ? source.archiveId : trustedStanzaId(message, this.#ownBareJid),
      origin_id: originId(message),
      remote_id: message.attrs.id ?? null,
    }
    const duplicate = this.#store.messages.findDuplicate(this.#accountId, candidate)
    if (duplicate) {
      if (candidate.stanza_id && !duplicate.stanza_id) this.#store.messages.rememberStanzaId(duplicate.id, candidate.stanza_id)
      return { kind: 'duplicate' }
    }
    const timestamp = (source.kind === 'archive' ? source.timestamp : null) ?? delayStamp(message) ?? this.#clock()
    const row = this.#store.messages.insert({
      account_id: this.#accountId,
      ...candidate,
      timestamp,
      state: outgoing ? 'sent' : 'received',
      from_other_device: outgoing ? 1 : 0,
      read: outgoing ? 1 : 0,
    })
    return { kind: 'stored', row }
  }

  /** Tell the UI what an ingest did (after its transaction committed). */
  announce(outcome: IngestOutcome): void {
    if (outcome.kind !== 'stored' && outcome.kind !== 'delivered') return
    const dto = toMessageDto(outcome.row)
    this.#events.emit(outcome.kind === 'stored' ? 'messages:received' : 'messages:updated', dto)
    this.#events.emit('conversations:changed', conversationDto(this.#store.messages, this.#accountId, outcome.row.peer))
  }

  #markDelivered(peer: string, confirmedId: string): IngestOutcome {
    const row = this.#store.messages.findByOriginId(this.#accountId, peer, 'out', confirmedId)
    if (!row || row.state === 'delivered') return { kind: 'ignored' }
    this.#store.messages.setState(row.id, 'delivered')
    return { kind: 'delivered', row: { ...row, state: 'delivered' } }
  }
}
