import { randomUUID } from 'node:crypto'
import type { Element } from '@xmpp/xml'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import type { Store } from '../store/store.ts'
import { mamQuery, parseMamFin, parseMamResult, type MamPage, type MamResult } from '../xmpp/stanzas/mam.ts'
import type { MessageIngest } from './message-ingest.ts'

const PAGE_SIZE = 100
const CLOCK_SKEW_MS = 5 * 60 * 1000

/**
 * XEP-0313 catch-up of our own archive after login: everything after the last archive id we stored,
 * paged with RSM (XEP-0059). The cursor advances after each complete page, so a restart in the middle
 * resumes from the last complete page and nothing is stored twice (ingest dedupes before decrypting).
 * On the very first login only the last page is fetched; if the archive was empty, the time of that
 * first look is kept and the next catch-up asks for everything since then.
 */
export class MamCatchUp {
  readonly #link: XmppLink
  readonly #store: Store
  readonly #ingest: MessageIngest
  #active: { queryId: string; results: MamResult[] } | null = null

  readonly #clock: () => number

  constructor(deps: { link: XmppLink; store: Store; ingest: MessageIngest; clock: () => number }) {
    this.#clock = deps.clock
    this.#link = deps.link
    this.#store = deps.store
    this.#ingest = deps.ingest
  }

  /** Called for every incoming <message/> carrying a MAM <result/>. Returns true if it was ours. */
  collect(message: Element): boolean {
    if (!this.#active) return false
    const result = parseMamResult(message, this.#active.queryId, this.#link.ownBareJid)
    if (!result) return false
    this.#active.results.push(result)
    return true
  }

  async run(): Promise<number> {
    const accountId = this.#link.accountId
    const account = this.#store.accounts.get(accountId)
    const startedAt = this.#clock()
    let page: MamPage = account?.mam_cursor
      ? { after: account.mam_cursor }
      : account?.mam_since !== null && account?.mam_since !== undefined
        ? { since: account.mam_since }
        : { lastPage: true }
    let stored = 0
    for (;;) {
      const { results, fin } = await this.#fetchPage(page).catch((error: unknown) => {
        // XEP-0313 §5.1.2: an unknown cursor (archive expired) → start again from the latest page.
        if ('after' in page && (error as { condition?: string }).condition === 'item-not-found') return null
        throw error
      }) ?? { results: null, fin: null }
      if (!results || !fin) {
        page = { lastPage: true }
        continue
      }
      // Each message commits on its own (with its OMEMO ratchet step); the cursor moves once the whole
      // page is in, so after a crash the page is fetched again and its stored messages are skipped.
      const conversationsChanged = new Set<string>()
      for (const result of results) {
        // Give the event loop a turn between messages: calls from the UI stay answered during a long catch-up.
        await new Promise((resolve) => setImmediate(resolve))
        const outcome = await this.#ingest.ingest(result.message, { kind: 'archive', archiveId: result.archiveId, timestamp: result.timestamp })
        if (outcome.kind === 'stored') stored += 1
        this.#ingest.announce(outcome, conversationsChanged)
      }
      for (const peer of conversationsChanged) this.#ingest.announceConversation(peer)
      const newCursor = fin.last ?? results.at(-1)?.archiveId
      if (newCursor) this.#store.accounts.setMamCursor(accountId, newCursor)
      else if (!account?.mam_cursor && account?.mam_since == null) {
        // An empty archive gives no id to continue from: remember when we looked (a little earlier, for
        // clock skew; duplicates are skipped), so the next catch-up misses nothing since then.
        this.#store.accounts.setMamSince(accountId, startedAt - CLOCK_SKEW_MS)
      }
      if ('lastPage' in page || fin.complete || !fin.last) return stored
      page = { after: fin.last }
    }
  }

  async #fetchPage(page: MamPage) {
    const queryId = randomUUID()
    this.#active = { queryId, results: [] }
    try {
      const answer = await this.#link.request(mamQuery(queryId, page, PAGE_SIZE), 60_000)
      return { results: this.#active.results, fin: parseMamFin(answer) }
    } finally {
      this.#active = null
    }
  }
}
