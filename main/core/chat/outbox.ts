import { randomUUID } from 'node:crypto'
import type { Element } from '@xmpp/xml'
import type { FailureCode, MessageDto } from '../../../preload/api.ts'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import { CoreError, isCoreError } from '../errors.ts'
import type { CoreEvents } from '../events.ts'
import type { EncryptionResult } from '../omemo/encryptor.ts'
import type { OmemoService } from '../omemo/omemo-service.ts'
import { inTransaction } from '../store/db.ts'
import type { Store } from '../store/store.ts'
import type { MessageRow, NewMessage } from '../store/repos/messages-repo.ts'
import { chatMessage, encryptedChatMessage } from '../xmpp/stanzas/chat-message.ts'
import { encryptionOutlook } from './encryption-outlook.ts'
import { conversationDto, toMessageDto } from './message-dto.ts'

/** Why nobody can read an encrypted message: the contact has no devices at all, or none that may be encrypted for. */
const noRecipientsCode = (result: EncryptionResult, peer: string): FailureCode =>
  result.report.skipped.some((device) => device.jid === peer) ? 'no-usable-devices' : 'no-devices'

/**
 * Outgoing messages: stored first (state queued) so nothing typed offline is lost, then sent when
 * online. States: queued → sent (written) → acked (XEP-0198 ack) → delivered (XEP-0184 receipt), or failed
 * with a reason code (never sent, or bounced), which the user can retry.
 * Plaintext goes out only where the user turned encryption off for the chat. With encryption on, a message is
 * encrypted right before it goes out; if no device of the contact can be encrypted for, it fails instead (never
 * plaintext instead). Sends and flushes run one at a time, in the order they were asked for, and a new message never
 * overtakes an older one: after a (re)connect it waits until the flush has sent what was left over.
 */
export class Outbox {
  readonly #link: XmppLink
  readonly #store: Store
  readonly #events: CoreEvents
  readonly #clock: () => number
  readonly #omemo: OmemoService
  readonly #warn: (message: string) => void
  readonly #inFlight = new Set<number>()
  #queue: Promise<unknown> = Promise.resolve()
  /** Counts connections (see `connected`); `#flushedConnection` is the one whose flush has run to its end. */
  #connection = 0
  #flushedConnection = 0

  constructor(deps: { link: XmppLink; store: Store; events: CoreEvents; clock: () => number; omemo: OmemoService; warn: (message: string) => void }) {
    this.#link = deps.link
    this.#store = deps.store
    this.#events = deps.events
    this.#clock = deps.clock
    this.#omemo = deps.omemo
    this.#warn = deps.warn
  }

  /** Store and send one message; resolves with it as it is then (queued, sent, or failed with the reason). */
  send(to: string, body: string): Promise<MessageDto> {
    return this.#serial(() => this.#send(to, body))
  }

  /** Send a failed message of ours again, encrypted or not as the chat is set now. */
  retry(messageId: number): Promise<MessageDto> {
    return this.#serial(async () => {
      const row = this.#store.messages.get(messageId)
      if (!row || row.account_id !== this.#link.accountId || row.direction !== 'out' || row.from_other_device === 1) {
        throw new CoreError('not-found', 'No such message of yours')
      }
      if (row.state !== 'failed') throw new CoreError('conflict', 'Only a message that failed can be sent again')
      const mode = encryptionOutlook(this.#store, row.account_id, row.peer, this.#clock()).next
      if (mode === 'ask-plain') {
        this.#store.messages.setFailed(row.id, 'plaintext-not-chosen', null)
      } else {
        this.#store.messages.requeue(row.id, mode === 'plain' ? 'none' : 'omemo')
      }
      const queued = this.#store.messages.get(row.id)!
      this.#announce(queued)
      if (queued.state === 'queued' && this.#canSendNow()) await this.#transmit(queued, null)
      return toMessageDto(this.#store.messages.get(row.id)!)
    })
  }

  /**
   * A connection is up (called before anything is sent on it). Until its `flush` has run, new messages are only
   * queued: sent at once they would go out before the older ones the flush is about to (re)send, and arrive out of
   * the order they were written in.
   */
  connected(): void {
    this.#connection += 1
  }

  /**
   * After (re)connecting: send everything still queued. On a fresh session (not resumed), messages
   * that were written but never acknowledged are sent again; receivers dedupe them by origin-id.
   */
  flush(resumed: boolean): Promise<void> {
    const connection = this.#connection
    return this.#serial(async () => {
      for (const row of this.#store.messages.unsent(this.#link.accountId)) {
        if (resumed && row.state === 'sent') continue
        if (!this.#link.isOnline()) return
        await this.#transmit(row, null)
      }
      this.#flushedConnection = connection
    })
  }

  /** XEP-0198: the server acknowledged a stanza we sent. */
  onAcked(stanza: Element): void {
    if (!stanza.is('message') || !stanza.attrs.id || !stanza.attrs.to) return
    const row = this.#store.messages.findByOriginId(this.#link.accountId, stanza.attrs.to, 'out', stanza.attrs.id)
    if (row?.state === 'sent') this.#setState(row, 'acked')
  }

  /** Online, and nothing older is waiting for the flush of this connection: a message may go out now. */
  #canSendNow(): boolean {
    return this.#link.isOnline() && this.#flushedConnection === this.#connection
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #send(to: string, body: string): Promise<MessageDto> {
    const accountId = this.#link.accountId
    // "On by default when the contact has devices": learn whether they have, unless the user chose.
    if (this.#link.isOnline() && this.#store.settings.conversationOmemo(accountId, to) === null) {
      await this.#omemo.lists.fetch(to).catch((error: unknown) => this.#warn(`device list of ${to}: ${(error as Error).message}`))
    }
    const mode = encryptionOutlook(this.#store, accountId, to, this.#clock()).next
    const draft: NewMessage = {
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
      encryption: mode === 'plain' || mode === 'ask-plain' ? 'none' : 'omemo',
    }
    let row: MessageRow
    let encrypted: EncryptionResult | null = null
    if (mode === 'ask-plain') {
      // Plaintext is the user's choice for the chat, never ours: the UI asks first; this is the backstop.
      row = this.#store.messages.insert({ ...draft, state: 'failed', failure: 'plaintext-not-chosen' })
    } else if (draft.encryption === 'omemo' && this.#canSendNow()) {
      // Encrypt before storing, so a message nobody can read is stored as failed (with the reason) instead of queued.
      ;({ row, encrypted } = await this.#omemo.encryptAndStore(to, body, (result) =>
        inTransaction(this.#store.db, () => {
          const report = JSON.stringify(result.report)
          if (!result.reachesContact) {
            return { row: this.#store.messages.insert({ ...draft, state: 'failed', failure: noRecipientsCode(result, to), encryption_report: report }), encrypted: null }
          }
          result.commit()
          return { row: this.#store.messages.insert({ ...draft, encryption_report: report }), encrypted: result }
        }),
      ))
    } else {
      row = this.#store.messages.insert(draft)
    }
    this.#events.emit('messages:received', toMessageDto(row))
    this.#events.emit('conversations:changed', conversationDto(this.#store, accountId, to, this.#clock()))
    if (row.state === 'queued' && this.#canSendNow()) await this.#transmit(row, encrypted)
    return toMessageDto(this.#store.messages.get(row.id)!)
  }

  async #transmit(row: MessageRow, alreadyEncrypted: EncryptionResult | null): Promise<void> {
    if (this.#inFlight.has(row.id) || !row.origin_id) return
    this.#inFlight.add(row.id)
    try {
      const stanza = row.encryption === 'omemo' ? await this.#encryptedStanza(row, alreadyEncrypted) : chatMessage(row.peer, row.origin_id, row.body)
      if (!stanza) return
      try {
        await this.#link.send(stanza)
      } catch (error) {
        // A write that fails (connection reset, socket closed) is the connection's failure, not the message's: the
        // link may not have noticed the drop yet (still "online"), but the disconnect that follows reconnects, and
        // the flush after it sends the message again, as any stanza the server did not acknowledge (XEP-0198).
        this.#warn(`message ${row.id} waits for the connection: ${(error as Error).message}`)
        return
      }
      const current = this.#store.messages.get(row.id)
      if (current && (current.state === 'queued' || current.state === 'sent')) this.#setState(current, 'sent')
    } catch (error) {
      if ((isCoreError(error) && error.code === 'not-connected') || !this.#link.isOnline()) {
        // Still queued (the UI shows "Waiting to send"); the flush after reconnecting sends it.
        this.#warn(`message ${row.id} waits for the connection: ${(error as Error).message}`)
      } else {
        this.#warn(`message ${row.id} could not be sent: ${(error as Error).message}`)
        this.#store.messages.setFailed(row.id, 'encryption-failed', (error as Error).message)
        this.#announce(this.#store.messages.get(row.id)!)
      }
    } finally {
      this.#inFlight.delete(row.id)
    }
  }

  /** Encrypts a queued OMEMO message now; marks it failed (never sends plaintext) if nobody can read it. */
  async #encryptedStanza(row: MessageRow, alreadyEncrypted: EncryptionResult | null): Promise<Element | null> {
    const result =
      alreadyEncrypted ??
      (await this.#omemo.encryptAndStore(row.peer, row.body, (fresh) => {
        inTransaction(this.#store.db, () => {
          if (!fresh.reachesContact) {
            this.#store.messages.setFailed(row.id, noRecipientsCode(fresh, row.peer), null, JSON.stringify(fresh.report))
            return
          }
          fresh.commit()
          this.#store.messages.setEncrypted(row.id, JSON.stringify(fresh.report))
        })
        return fresh
      }))
    if (!result.reachesContact) {
      this.#announce(this.#store.messages.get(row.id)!)
      return null
    }
    return encryptedChatMessage(row.peer, row.origin_id!, this.#omemo.messageChildren(result))
  }

  #setState(row: MessageRow, state: MessageRow['state']): void {
    if (row.state === state) return
    this.#store.messages.setState(row.id, state)
    this.#announce({ ...row, state })
  }

  #announce(row: MessageRow): void {
    this.#events.emit('messages:updated', toMessageDto(row))
    this.#events.emit('conversations:changed', conversationDto(this.#store, row.account_id, row.peer, this.#clock()))
  }
}
