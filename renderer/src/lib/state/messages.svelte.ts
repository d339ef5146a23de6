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

/** The messages of the conversation that is open (one at a time). */
export class MessagesState {
  accountId = $state<number | null>(null)
  peer = $state<string | null>(null)
  items = $state.raw<MessageDto[]>([])
  loading = $state(false)
  loadingOlder = $state(false)
  hasOlder = $state(false)
  loadError = $state<string | null>(null)

  readonly #api: Api
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

  async send(body: string): Promise<ApiError | null> {
    const { accountId, peer } = this
    if (accountId === null || peer === null) return { code: 'invalid-input', message: 'No conversation is open' }
    const result = await this.#api.call('messages:send', { accountId, to: peer, body })
    if (!result.ok) return result.error
    this.apply(result.result)
    return null
  }
}
