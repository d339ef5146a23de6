import { randomUUID } from 'node:crypto'
import type { Element } from '@xmpp/xml'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import type { RosterService } from '../roster/roster-service.ts'
import { unwrapCarbon } from '../xmpp/stanzas/carbons.ts'
import { isMamResult } from '../xmpp/stanzas/mam.ts'
import { receipt, wantsReceipt } from '../xmpp/stanzas/receipts.ts'
import type { MamCatchUp } from './mam-catchup.ts'
import type { MessageIngest } from './message-ingest.ts'
import type { OmemoService } from '../omemo/omemo-service.ts'

/**
 * The live receive pipeline for <message/> stanzas: PEP notifications → OMEMO device lists; archive
 * results → the catch-up; carbons → checked and unwrapped; everything else → ingest; then a delivery
 * receipt where one is due.
 */
export class MessageRouter {
  readonly #link: XmppLink
  readonly #ingest: MessageIngest
  readonly #archive: MamCatchUp
  readonly #roster: RosterService
  readonly #warn: (message: string) => void
  readonly #omemo: OmemoService

  constructor(deps: {
    link: XmppLink
    ingest: MessageIngest
    archive: MamCatchUp
    roster: RosterService
    omemo: OmemoService
    warn: (message: string) => void
  }) {
    this.#omemo = deps.omemo
    this.#link = deps.link
    this.#ingest = deps.ingest
    this.#archive = deps.archive
    this.#roster = deps.roster
    this.#warn = deps.warn
  }

  #queue: Promise<void> = Promise.resolve()

  /**
   * Messages are handled one at a time, in arrival order: OMEMO decryption is asynchronous and two
   * decryptions with the same session must not interleave.
   */
  route(message: Element): void {
    // Archive results are collected at once, in stream order, so they are all in when the query's
    // IQ result (which the server sends after them) resolves; they are ingested by the catch-up.
    if (isMamResult(message)) {
      if (!this.#archive.collect(message)) this.#warn(`ignored an archive result that is not ours (from ${message.attrs.from})`)
      return
    }
    this.#queue = this.#queue.then(() => this.#handle(message)).catch((error: unknown) => this.#warn(`message handling failed: ${(error as Error).message}`))
  }

  /** Resolves when every message routed so far has been handled. */
  idle(): Promise<void> {
    return this.#queue
  }

  async #handle(message: Element): Promise<void> {
    if (this.#omemo.handleNotification(message)) return
    const carbon = unwrapCarbon(message, this.#link.ownBareJid)
    switch (carbon.kind) {
      case 'forged':
        // XEP-0280 §11: CVE-2017-5589 — a "carbon" from anyone but ourselves is an attack.
        this.#warn(`ignored a forged carbon from ${carbon.from}`)
        return
      case 'malformed':
        return
      case 'sent':
      case 'received':
        this.#ingest.announce(await this.#ingest.ingest(carbon.message, { kind: carbon.kind === 'sent' ? 'carbon-sent' : 'carbon-received' }))
        return
      case 'none': {
        const outcome = await this.#ingest.ingest(message, { kind: 'live' })
        this.#ingest.announce(outcome)
        if (outcome.kind === 'stored') this.#acknowledge(message, outcome.row.peer)
      }
    }
  }

  /** XEP-0184 §5: confirm delivery when asked — only to contacts allowed to see our presence (§8). */
  #acknowledge(message: Element, peer: string): void {
    if (!wantsReceipt(message) || !message.attrs.from || !message.attrs.id) return
    if (!this.#roster.sharesPresenceWith(peer)) return
    this.#link.send(receipt(message.attrs.from, message.attrs.id, randomUUID())).catch(() => undefined)
  }
}
