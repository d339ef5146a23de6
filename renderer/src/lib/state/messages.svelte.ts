import type { Api, ApiError, MessageDto } from '../../../../preload/api.ts'

export const PAGE_SIZE = 50

/** The core lists a conversation in the order messages reached this client: by id. */
function arrivalOrder(a: MessageDto, b: MessageDto): number {
  return a.id - b.id
}

/** Merges messages by id (a later copy wins) and keeps them oldest first. */
function merge(current: readonly MessageDto[], incoming: readonly MessageDto[]): MessageDto[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch map, not state
  const byId = new Map<number, MessageDto>()
  for (const message of current) byId.set(message.id, message)
  for (const message of incoming) byId.set(message.id, message)
  return [...byId.values()].sort(arrivalOrder)
}

/** A message the composer handed over that the core has not taken (yet): kept with its text, never dropped. */
export interface PendingSend {
  key: number
  accountId: number
  peer: string
  body: string
  /** Why the core refused it (validation, locked, …); null while it waits its turn. */
  error: ApiError | null
}

/** The messages of the conversation that is open (one at a time). */
export class MessagesState {
  accountId = $state<number | null>(null)
  peer = $state<string | null>(null)
  items = $state.raw<MessageDto[]>([])
  loading = $state(false)
  loadingOlder = $state(false)
  hasOlder = $state(false)
  loadError = $state<string | null>(null)
  /** Sends not yet taken by the core, oldest first (all conversations: a send outlives switching chats). */
  pending = $state.raw<PendingSend[]>([])

  readonly #api: Api
  /** Sends go to the core one after another, in the order the user pressed Enter. */
  #sending: Promise<void> = Promise.resolve()
  #nextKey = 1
  /** Bumped on every open/close so answers for a conversation that is no longer shown are dropped. */
  #generation = 0

  constructor(api: Api) {
    this.#api = api
  }

  isOpen(accountId: number, peer: string): boolean {
    return this.accountId === accountId && this.peer === peer
  }

  close(): void {
    this.#generation++
    this.accountId = null
    this.peer = null
    this.items = []
    this.loading = false
    this.loadingOlder = false
    this.hasOlder = false
    this.loadError = null
  }

  async open(accountId: number, peer: string): Promise<void> {
    if (this.isOpen(accountId, peer) && !this.loadError) return
    this.close()
    const generation = this.#generation
    this.accountId = accountId
    this.peer = peer
    this.loading = true
    const result = await this.#api.call('messages:list', { accountId, peer, limit: PAGE_SIZE })
    if (generation !== this.#generation) return
    this.loading = false
    if (!result.ok) {
      this.loadError = result.error.message
      return
    }
    this.items = merge(this.items, result.result)
    this.hasOlder = result.result.length >= PAGE_SIZE
  }

  /** Loads the page before the oldest message shown. Returns how many were added. */
  async loadOlder(): Promise<number> {
    const { accountId, peer } = this
    const oldest = this.items[0]
    if (accountId === null || peer === null || !oldest || !this.hasOlder || this.loadingOlder || this.loading) return 0
    const generation = this.#generation
    this.loadingOlder = true
    const result = await this.#api.call('messages:list', { accountId, peer, beforeId: oldest.id, limit: PAGE_SIZE })
    if (generation !== this.#generation) return 0
    this.loadingOlder = false
    if (!result.ok) {
      this.loadError = result.error.message
      return 0
    }
    const before = this.items.length
    this.items = merge(this.items, result.result)
    this.hasOlder = result.result.length >= PAGE_SIZE
    return this.items.length - before
  }

  /** `messages:received` (and our own sends): only the open conversation is kept here. */
  apply(dto: MessageDto): void {
    if (!this.isOpen(dto.accountId, dto.peer)) return
    this.items = merge(this.items, [dto])
  }

  /** `messages:updated`: replaces a message shown, by id; one not loaded yet is left to paging. */
  update(dto: MessageDto): void {
    if (!this.isOpen(dto.accountId, dto.peer)) return
    if (!this.items.some((message) => message.id === dto.id)) return
    this.items = this.items.map((message) => (message.id === dto.id ? dto : message))
  }

  /**
   * Hands one message to the core, after every earlier one: each Enter sends exactly what was typed, in order,
   * however fast the user types (the composer is free again at once). Resolves once the core has it (or refused).
   */
  send(accountId: number, peer: string, body: string): Promise<void> {
    const entry: PendingSend = { key: this.#nextKey++, accountId, peer, body, error: null }
    this.pending = [...this.pending, entry]
    const run = this.#sending.then(() => this.#deliver(entry))
    this.#sending = run
    return run
  }

  /** A refused send, tried again (same text), or dropped by the user. */
  retryPending(key: number): Promise<void> {
    const entry = this.pending.find((candidate) => candidate.key === key)
    if (!entry) return Promise.resolve()
    this.pending = this.pending.filter((candidate) => candidate.key !== key)
    return this.send(entry.accountId, entry.peer, entry.body)
  }

  discardPending(key: number): void {
    this.pending = this.pending.filter((candidate) => candidate.key !== key)
  }

  pendingFor(accountId: number, peer: string): PendingSend[] {
    return this.pending.filter((entry) => entry.accountId === accountId && entry.peer === peer)
  }

  async #deliver(entry: PendingSend): Promise<void> {
    const result = await this.#api.call('messages:send', { accountId: entry.accountId, to: entry.peer, body: entry.body })
    if (result.ok) {
      this.pending = this.pending.filter((candidate) => candidate.key !== entry.key)
      this.apply(result.result)
    } else {
      this.pending = this.pending.map((candidate) => (candidate.key === entry.key ? { ...candidate, error: result.error } : candidate))
    }
  }

  /** Send a failed message again (the core encrypts it, or not, as the chat is set now). */
  async retry(message: MessageDto): Promise<ApiError | null> {
    const result = await this.#api.call('messages:retry', { accountId: message.accountId, messageId: message.id })
    if (!result.ok) return result.error
    this.update(result.result)
    return null
  }
}
