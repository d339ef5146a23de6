import { randomUUID } from 'node:crypto'
import type { Element } from '@xmpp/xml'
import type { MessageDto } from '../../../preload/api.ts'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import { CoreError } from '../errors.ts'
import type { CoreEvents } from '../events.ts'
import type { EncryptionResult } from '../omemo/encryptor.ts'
import type { OmemoService } from '../omemo/omemo-service.ts'
import { explainNoRecipients } from '../omemo/report-text.ts'
import { inTransaction } from '../store/db.ts'
import type { Store } from '../store/store.ts'
import type { MessageRow } from '../store/repos/messages-repo.ts'
import { chatMessage, encryptedChatMessage } from '../xmpp/stanzas/chat-message.ts'
import { conversationDto, conversationUsesOmemo, toMessageDto } from './message-dto.ts'

/**
 * Outgoing messages: stored first (state queued) so nothing typed offline is lost, then sent when
 * online. States: queued → sent (written) → acked (XEP-0198 ack) → delivered (XEP-0184 receipt).
 * With OMEMO on, a message is encrypted right before it goes out; if no device of the contact can be
 * encrypted for, it is not sent (never plaintext instead) and the user is told why.
 */
export class Outbox {
  readonly #link: XmppLink
  readonly #store: Store
  readonly #events: CoreEvents
  readonly #clock: () => number
  readonly #omemo: OmemoService
  readonly #inFlight = new Set<number>()

  constructor(deps: { link: XmppLink; store: Store; events: CoreEvents; clock: () => number; omemo: OmemoService }) {
    this.#link = deps.link
    this.#store = deps.store
    this.#events = deps.events
    this.#clock = deps.clock
    this.#omemo = deps.omemo
  }

  async send(to: string, body: string): Promise<MessageDto> {
    const accountId = this.#link.accountId
    // "On by default when the contact has devices": learn whether they have, unless the user chose.
    if (this.#link.isOnline() && this.#store.settings.conversationOmemo(accountId, to) === null) {
      await this.#omemo.lists.fetch(to).catch(() => undefined)
    }
    const encrypt = conversationUsesOmemo(this.#store, accountId, to)
    const draft = {
      account_id: accountId,
      peer: to,
      direction: 'out' as const,
      body,
      timestamp: this.#clock(),
      state: 'queued' as const,
      // XEP-0359: the same id as message id and origin-id, so receipts and archive copies match it.
      origin_id: randomUUID(),
      stanza_id: null,
      remote_id: null,
      from_other_device: 0,
      read: 1,
      encryption: encrypt ? ('omemo' as const) : ('none' as const),
    }
    let row: MessageRow
    let encrypted: EncryptionResult | null = null
    if (encrypt && this.#link.isOnline()) {
      // Encrypt before storing, so a message that cannot be encrypted is refused instead of queued.
      const outcome = await this.#omemo.exclusive(async () => {
        const result = await this.#omemo.encrypt(to, body)
        if (!result.reachesContact) return { refused: explainNoRecipients(to, result.report), stored: null, result: null }
        const stored = inTransaction(this.#store.db, () => {
          result.commit()
          return this.#store.messages.insert({ ...draft, encryption_report: JSON.stringify(result.report) })
        })
        return { refused: null, stored, result }
      })
      if (outcome.refused !== null) throw new CoreError('no-trusted-devices', outcome.refused)
      row = outcome.stored
      encrypted = outcome.result
    } else {
      row = this.#store.messages.insert(draft)
    }
    this.#events.emit('messages:received', toMessageDto(row))
    this.#events.emit('conversations:changed', conversationDto(this.#store, accountId, to))
    if (this.#link.isOnline()) await this.#transmit(row, encrypted)
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
      await this.#transmit(row, null)
    }
  }

  /** XEP-0198: the server acknowledged a stanza we sent. */
  onAcked(stanza: Element): void {
    if (!stanza.is('message') || !stanza.attrs.id || !stanza.attrs.to) return
    const row = this.#store.messages.findByOriginId(this.#link.accountId, stanza.attrs.to, 'out', stanza.attrs.id)
    if (row?.state === 'sent') this.#setState(row, 'acked')
  }

  async #transmit(row: MessageRow, alreadyEncrypted: EncryptionResult | null): Promise<void> {
    if (this.#inFlight.has(row.id) || !row.origin_id) return
    this.#inFlight.add(row.id)
    try {
      const stanza = row.encryption === 'omemo' ? await this.#encryptedStanza(row, alreadyEncrypted) : chatMessage(row.peer, row.origin_id, row.body)
      if (!stanza) return
      await this.#link.send(stanza)
      const current = this.#store.messages.get(row.id)
      if (current && (current.state === 'queued' || current.state === 'sent')) this.#setState(current, 'sent')
    } catch {
      // Still queued; the next flush after reconnecting sends it.
    } finally {
      this.#inFlight.delete(row.id)
    }
  }

  /** Encrypts a queued OMEMO message now; marks it failed (never sends plaintext) if nobody can read it. */
  async #encryptedStanza(row: MessageRow, alreadyEncrypted: EncryptionResult | null): Promise<Element | null> {
    const result =
      alreadyEncrypted ??
      (await this.#omemo.exclusive(async () => {
        const fresh = await this.#omemo.encrypt(row.peer, row.body)
        inTransaction(this.#store.db, () => {
          if (!fresh.reachesContact) {
            this.#store.messages.setFailed(row.id, explainNoRecipients(row.peer, fresh.report), JSON.stringify(fresh.report))
            return
          }
          fresh.commit()
          this.#store.messages.setEncrypted(row.id, JSON.stringify(fresh.report))
        })
        return fresh
      }))
    if (!result.reachesContact) {
      this.#events.emit('messages:updated', toMessageDto(this.#store.messages.get(row.id)!))
      return null
    }
    return encryptedChatMessage(row.peer, row.origin_id!, this.#omemo.messageChildren(result))
  }

  #setState(row: MessageRow, state: MessageRow['state']): void {
    if (row.state === state) return
    this.#store.messages.setState(row.id, state)
    this.#events.emit('messages:updated', toMessageDto({ ...row, state }))
  }
}
