import type { Element } from '@xmpp/xml'
import type { CoreEvents } from '../events.ts'
import type { DecryptOutcome } from '../omemo/decryptor.ts'
import type { OmemoService } from '../omemo/omemo-service.ts'
import type { Store } from '../store/store.ts'
import { inTransaction } from '../store/db.ts'
import type { MessageRow, NewMessage } from '../store/repos/messages-repo.ts'
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

type Candidate = Pick<NewMessage, 'peer' | 'direction' | 'stanza_id' | 'origin_id' | 'remote_id'> & { senderJid: string; timestamp: number }

/**
 * Turns one 1:1 message stanza (already unwrapped from a carbon or an archive result) into a stored
 * message, at most once: XEP-0359 deduplication across live, carbon, offline and archive copies, done
 * before any OMEMO decryption (a second decryption attempt would fail and could damage the session).
 * An OMEMO message's ratchet step and the message commit in one transaction. Receipts (XEP-0184)
 * for our messages mark them delivered.
 */
export class MessageIngest {
  readonly #accountId: number
  readonly #ownBareJid: string
  readonly #store: Store
  readonly #events: CoreEvents
  readonly #clock: () => number
  readonly #omemo: OmemoService

  constructor(deps: { accountId: number; ownBareJid: string; store: Store; events: CoreEvents; clock: () => number; omemo: OmemoService }) {
    this.#accountId = deps.accountId
    this.#ownBareJid = deps.ownBareJid
    this.#store = deps.store
    this.#events = deps.events
    this.#clock = deps.clock
    this.#omemo = deps.omemo
  }

  async ingest(message: Element, source: MessageSource): Promise<IngestOutcome> {
    if (!isOneToOne(message)) return { kind: 'ignored' }
    const outgoing = source.kind === 'carbon-sent' || (source.kind === 'archive' && bareJid(message.attrs.from) === this.#ownBareJid)
    const peer = bareJid(outgoing ? message.attrs.to : message.attrs.from)
    if (!peer || peer === this.#ownBareJid) return { kind: 'ignored' }

    const confirmed = receiptFor(message)
    if (confirmed && !outgoing) return this.#markDelivered(peer, confirmed)

    const candidate: Candidate = {
      peer,
      direction: outgoing ? 'out' : 'in',
      senderJid: outgoing ? this.#ownBareJid : peer,
      stanza_id: source.kind === 'archive' ? source.archiveId : trustedStanzaId(message, this.#ownBareJid),
      origin_id: originId(message),
      remote_id: message.attrs.id ?? null,
      timestamp: (source.kind === 'archive' ? source.timestamp : null) ?? delayStamp(message) ?? this.#clock(),
    }
    if (this.#omemo.isOmemoMessage(message)) return this.#ingestEncrypted(message, candidate)

    const body = message.getChildText('body')
    if (body === null || body.trim() === '') return { kind: 'ignored' }
    if (this.#isDuplicate({ ...candidate, body })) return { kind: 'duplicate' }
    return { kind: 'stored', row: this.#insert(candidate, { body }) }
  }

  /**
   * Tell the UI what an ingest did (after its transaction committed). `conversationsChanged` collects
   * the conversations to announce later (once per archive page) instead of after every message.
   */
  announce(outcome: IngestOutcome, conversationsChanged?: Set<string>): void {
    if (outcome.kind !== 'stored' && outcome.kind !== 'delivered') return
    const dto = toMessageDto(outcome.row)
    this.#events.emit(outcome.kind === 'stored' ? 'messages:received' : 'messages:updated', dto)
    if (conversationsChanged) conversationsChanged.add(outcome.row.peer)
    else this.announceConversation(outcome.row.peer)
  }

  announceConversation(peer: string): void {
    this.#events.emit('conversations:changed', conversationDto(this.#store, this.#accountId, peer))
  }

  /** XEP-0384 §4.6/4.7. The fallback <body/> of an OMEMO message is never shown as its text. */
  async #ingestEncrypted(message: Element, candidate: Candidate): Promise<IngestOutcome> {
    const result = await this.#omemo.exclusive(async () => {
      if (this.#isDuplicate({ ...candidate, body: null })) return null
      const decrypted = await this.#omemo.decrypt(candidate.senderJid, message)
      return { decrypted, outcome: this.#storeDecrypted(candidate, decrypted) }
    })
    if (!result) return { kind: 'duplicate' }
    this.#omemo.afterDecrypt(candidate.senderJid, result.decrypted)
    return result.outcome
  }

  #storeDecrypted(candidate: Candidate, decrypted: DecryptOutcome): IngestOutcome {
    const sender = `${candidate.senderJid} device ${decrypted.senderDevice}`
    switch (decrypted.kind) {
      case 'key-transport':
        // §4.6: a KeyTransportElement only advances the ratchet; nothing to show.
        inTransaction(this.#store.db, () => decrypted.commit())
        return { kind: 'ignored' }
      case 'ignored':
        return { kind: 'ignored' }
      case 'message':
        return inTransaction(this.#store.db, () => {
          decrypted.commit()
          const row = this.#insert(candidate, {
            body: decrypted.text ?? '',
            encryption: 'omemo',
            sender_device: decrypted.senderDevice,
            sender_trust: decrypted.trust(),
          })
          return { kind: 'stored' as const, row }
        })
      case 'not-for-us':
        return this.#undecryptable(candidate, decrypted.senderDevice, `Not encrypted for this device (sent by ${sender})`)
      case 'identity-changed':
        return this.#undecryptable(candidate, decrypted.senderDevice, `Refused: ${sender} presented a different identity key`)
      case 'failed':
        return this.#undecryptable(candidate, decrypted.senderDevice, `Could not decrypt the message from ${sender}: ${decrypted.reason}`)
    }
  }

  #undecryptable(candidate: Candidate, senderDevice: number, reason: string): IngestOutcome {
    const row = this.#insert(candidate, { body: '', encryption: 'omemo', sender_device: senderDevice || null, undecryptable_reason: reason })
    return { kind: 'stored', row }
  }

  #isDuplicate(candidate: Candidate & { body: string | null }): boolean {
    const duplicate = this.#store.messages.findDuplicate(this.#accountId, candidate)
    if (!duplicate) return false
    if (candidate.stanza_id && !duplicate.stanza_id) this.#store.messages.rememberStanzaId(duplicate.id, candidate.stanza_id)
    return true
  }

  #insert(candidate: Candidate, content: Pick<NewMessage, 'body'> & Partial<NewMessage>): MessageRow {
    const outgoing = candidate.direction === 'out'
    return this.#store.messages.insert({
      account_id: this.#accountId,
      peer: candidate.peer,
      direction: candidate.direction,
      stanza_id: candidate.stanza_id,
      origin_id: candidate.origin_id,
      remote_id: candidate.remote_id,
      timestamp: candidate.timestamp,
      state: outgoing ? 'sent' : 'received',
      from_other_device: outgoing ? 1 : 0,
      read: outgoing ? 1 : 0,
      ...content,
    })
  }

  #markDelivered(peer: string, confirmedId: string): IngestOutcome {
    const row = this.#store.messages.findByOriginId(this.#accountId, peer, 'out', confirmedId)
    if (!row || row.state === 'delivered') return { kind: 'ignored' }
    this.#store.messages.setState(row.id, 'delivered')
    return { kind: 'delivered', row: { ...row, state: 'delivered' } }
  }
}
