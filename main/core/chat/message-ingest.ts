import type { Element } from '@xmpp/xml'
import type { InvitationDto, UndecryptableCode } from '../../../preload/api.ts'
import type { CoreEvents } from '../events.ts'
import type { DecryptOutcome } from '../omemo/decryptor.ts'
import type { OmemoService } from '../omemo/omemo-service.ts'
import type { Encrypted } from '../omemo/protocol/legacy.ts'
import type { Store } from '../store/store.ts'
import { inTransaction } from '../store/db.ts'
import type { MessageRow, NewMessage } from '../store/repos/messages-repo.ts'
import type { HandledOmemoMessage } from '../store/repos/omemo-repo.ts'
import { bareJid } from '../xmpp/jid.ts'
import { isOneToOne } from '../xmpp/stanzas/chat-message.ts'
import { delayStamp } from '../xmpp/stanzas/delay.ts'
import { isMediatedInvitationRequest, parseInvitation, type Invitation } from '../xmpp/stanzas/invitation.ts'
import { parseMessageError } from '../xmpp/stanzas/message-error.ts'
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
  /** A message of ours changed: delivered (XEP-0184) or bounced (RFC 6120 §8.3). */
  | { kind: 'updated'; row: MessageRow }
  | { kind: 'duplicate' }
  | { kind: 'ignored' }

type Candidate = Pick<NewMessage, 'peer' | 'direction' | 'stanza_id' | 'origin_id' | 'remote_id'> & { senderJid: string; timestamp: number }

/**
 * Turns one 1:1 message stanza (already unwrapped from a carbon or an archive result) into a stored
 * message, at most once: XEP-0359 deduplication across live, carbon, offline and archive copies, and for
 * OMEMO messages by (sender, device, IV), all before any decryption (a second decryption attempt would fail
 * and could damage the session). An OMEMO message's ratchet step, the message and the record that it was
 * handled commit in one transaction. Receipts (XEP-0184) mark our messages delivered, errors mark them bounced.
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
    if (message.attrs.type === 'error') return source.kind === 'live' ? this.#markBounced(message) : { kind: 'ignored' }
    if (!isOneToOne(message)) return { kind: 'ignored' }
    const outgoing = source.kind === 'carbon-sent' || (source.kind === 'archive' && bareJid(message.attrs.from) === this.#ownBareJid)
    if (outgoing && isMediatedInvitationRequest(message)) return { kind: 'ignored' }
    const invitation = parseInvitation(message)
    // A mediated invitation comes from the room: it belongs to the inviter's conversation, never to a chat with the room.
    const peer = invitation?.mediated && !outgoing ? (invitation.inviter ?? invitation.room) : bareJid(outgoing ? message.attrs.to : message.attrs.from)
    if (!peer || peer === this.#ownBareJid) return { kind: 'ignored' }

    const confirmed = receiptFor(message)
    if (confirmed && !outgoing) return this.#markDelivered(peer, confirmed)

    const now = this.#clock()
    const candidate: Candidate = {
      peer,
      direction: outgoing ? 'out' : 'in',
      senderJid: outgoing ? this.#ownBareJid : peer,
      stanza_id: source.kind === 'archive' ? source.archiveId : trustedStanzaId(message, this.#ownBareJid),
      origin_id: originId(message),
      remote_id: message.attrs.id ?? null,
      // XEP-0203: a delay stamp is its sender's claim; no message was sent later than now. A future stamp (a contact's
      // "year 2999") would show a date that never was and keep the chat on top of the list.
      timestamp: Math.min((source.kind === 'archive' ? source.timestamp : null) ?? delayStamp(message) ?? now, now),
    }
    if (invitation) return this.#ingestInvitation(candidate, invitation)
    const encrypted = this.#omemo.parseMessage(message)
    if (encrypted !== undefined) return this.#ingestEncrypted(candidate, encrypted, this.#omemo.carriesMessage(message))

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
    if (outcome.kind !== 'stored' && outcome.kind !== 'updated') return
    const dto = toMessageDto(outcome.row)
    this.#events.emit(outcome.kind === 'stored' ? 'messages:received' : 'messages:updated', dto)
    if (conversationsChanged) conversationsChanged.add(outcome.row.peer)
    else this.announceConversation(outcome.row.peer)
  }

  announceConversation(peer: string): void {
    this.#events.emit('conversations:changed', conversationDto(this.#store, this.#accountId, peer))
  }

  /**
   * XEP-0384 §4.6/4.7. The fallback <body/> of an OMEMO message is never shown as its text. A KeyTransportElement
   * (no payload) carries no message: one that cannot be used is nothing to show either (its failure still repairs).
   */
  async #ingestEncrypted(candidate: Candidate, encrypted: Encrypted | null, carriesMessage: boolean): Promise<IngestOutcome> {
    if (!encrypted) {
      if (!carriesMessage) return { kind: 'ignored' }
      if (this.#isDuplicate({ ...candidate, body: null })) return { kind: 'duplicate' }
      return this.#undecryptable(candidate, null, 'malformed', null)
    }
    const handled: HandledOmemoMessage = { jid: candidate.senderJid, deviceId: encrypted.sid, iv: encrypted.iv }
    const result = await this.#omemo.exclusive(async () => {
      if (this.#store.omemo.wasHandled(this.#accountId, handled) || this.#isDuplicate({ ...candidate, body: null })) return null
      const decrypted = await this.#omemo.decrypt(candidate.senderJid, encrypted)
      return { decrypted, outcome: this.#storeDecrypted(candidate, decrypted, handled, carriesMessage) }
    })
    if (!result) return { kind: 'duplicate' }
    this.#omemo.afterDecrypt(candidate.senderJid, result.decrypted)
    return result.outcome
  }

  /** Stores what a decryption gave, with the record that this message was handled, in one transaction. */
  #storeDecrypted(candidate: Candidate, decrypted: DecryptOutcome, handled: HandledOmemoMessage, carriesMessage: boolean): IngestOutcome {
    const remember = () => this.#store.omemo.markHandled(this.#accountId, handled, this.#clock())
    const sender = decrypted.senderDevice
    // §4.6: a KeyTransportElement that fails lost the user nothing: no "could not decrypt" for it (afterDecrypt
    // still repairs the session or warns of the new identity).
    if ((decrypted.kind === 'failed' || decrypted.kind === 'identity-changed') && !carriesMessage) {
      inTransaction(this.#store.db, remember)
      return { kind: 'ignored' }
    }
    switch (decrypted.kind) {
      case 'key-transport':
        // §4.6: a KeyTransportElement only advances the ratchet; nothing to show.
        return inTransaction(this.#store.db, () => {
          decrypted.commit()
          remember()
          return { kind: 'ignored' as const }
        })
      case 'ignored':
        inTransaction(this.#store.db, remember)
        return { kind: 'ignored' }
      case 'duplicate':
        // §4.7: its key was used already: a copy of a message read before (or a replay). Never an error, never a repair.
        inTransaction(this.#store.db, remember)
        return { kind: 'duplicate' }
      case 'message':
        return inTransaction(this.#store.db, () => {
          decrypted.commit()
          remember()
          const row = this.#insert(candidate, {
            body: decrypted.text ?? '',
            encryption: 'omemo',
            sender_device: decrypted.senderDevice,
            sender_trust: decrypted.trust(),
          })
          return { kind: 'stored' as const, row }
        })
      case 'not-for-us':
        return this.#undecryptable(candidate, sender, this.#beforeThisDevice(candidate) ? 'before-this-device' : 'not-for-this-device', null, remember)
      case 'identity-changed':
        return this.#undecryptable(candidate, sender, 'identity-changed', null, remember)
      case 'failed':
        return this.#undecryptable(candidate, sender, decrypted.code, decrypted.reason, remember)
    }
  }

  /** A message sent before this device's keys existed could never have been encrypted for it. */
  #beforeThisDevice(candidate: Candidate): boolean {
    const own = this.#store.omemo.ownDevice(this.#accountId)
    return own !== undefined && candidate.timestamp < own.created_at
  }

  #undecryptable(candidate: Candidate, senderDevice: number | null, code: UndecryptableCode, detail: string | null, remember?: () => void): IngestOutcome {
    return inTransaction(this.#store.db, () => {
      remember?.()
      const row = this.#insert(candidate, {
        body: '',
        encryption: 'omemo',
        sender_device: senderDevice || null,
        undecryptable: code,
        undecryptable_detail: detail,
        // History from before this device existed is not news: not unread (and the UI collapses it).
        ...(code === 'before-this-device' ? { read: 1 } : {}),
      })
      return { kind: 'stored' as const, row }
    })
  }

  #ingestInvitation(candidate: Candidate, invitation: Invitation): IngestOutcome {
    const reason = invitation.reason ?? ''
    if (this.#isDuplicate({ ...candidate, body: reason })) return { kind: 'duplicate' }
    const dto: InvitationDto = { room: invitation.room, reason: invitation.reason, password: invitation.password, mediated: invitation.mediated }
    return { kind: 'stored', row: this.#insert(candidate, { body: reason, kind: 'invitation', invitation: JSON.stringify(dto) }) }
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
    if (!row || row.state === 'delivered' || row.state === 'failed') return { kind: 'ignored' }
    this.#store.messages.setState(row.id, 'delivered')
    return { kind: 'updated', row: { ...row, state: 'delivered' } }
  }

  /** RFC 6120 §8.3: the server (or the contact's) returned a message of ours; it becomes failed, with the condition. */
  #markBounced(message: Element): IngestOutcome {
    const error = parseMessageError(message)
    const peer = bareJid(message.attrs.from)
    if (!error || !peer) return { kind: 'ignored' }
    const row = this.#store.messages.findByOriginId(this.#accountId, peer, 'out', error.id)
    if (!row || row.from_other_device === 1 || row.state === 'delivered' || row.state === 'failed') return { kind: 'ignored' }
    this.#store.messages.setFailed(row.id, 'bounced', error.condition)
    return { kind: 'updated', row: this.#store.messages.get(row.id)! }
  }
}
