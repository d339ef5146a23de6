import type { Api, ApiError, ConversationDto } from '../../../../preload/api.ts'
import { PerAccountLists } from './per-account.svelte.ts'

function sortByRecent(conversations: ConversationDto[]): ConversationDto[] {
  return conversations.sort((a, b) => (b.lastMessage?.timestamp ?? 0) - (a.lastMessage?.timestamp ?? 0))
}

/** Conversations per account (all accounts are loaded so the rail can show unread totals). */
export class ConversationsState extends PerAccountLists<ConversationDto> {
  readonly #api: Api
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- in-flight bookkeeping, never rendered
  readonly #markingRead = new Set<string>()

  constructor(api: Api) {
    super(
      (accountId) => api.call('conversations:list', { accountId }),
      (conversations) => sortByRecent([...conversations]),
    )
    this.#api = api
  }

  list(accountId: number): ConversationDto[] {
    return this.byAccount[accountId] ?? []
  }

  find(accountId: number, peer: string): ConversationDto | undefined {
    return this.byAccount[accountId]?.find((conversation) => conversation.peer === peer)
  }

  unreadTotal(accountId: number): number {
    return this.list(accountId).reduce((sum, conversation) => sum + conversation.unread, 0)
  }

  upsert(dto: ConversationDto): void {
    const current = this.byAccount[dto.accountId]
    if (!current) return // loaded in full with its account
    const others = current.filter((conversation) => conversation.peer !== dto.peer)
    this.byAccount = { ...this.byAccount, [dto.accountId]: sortByRecent([...others, dto]) }
  }

  /** Asks the core for one conversation (a new chat too), so its encryption state is known before sending. */
  async refresh(accountId: number, peer: string): Promise<void> {
    const result = await this.#api.call('conversations:get', { accountId, peer })
    if (result.ok) this.upsert(result.result)
  }

  /** Turns OMEMO on or off for one conversation (the core creates the conversation if needed). */
  async setEncryption(accountId: number, peer: string, enabled: boolean): Promise<ApiError | null> {
    const result = await this.#api.call('omemo:setConversationEncryption', { accountId, peer, enabled })
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }

  /** Keeps what is typed in a conversation (in the core's database, and in the list shown). */
  async setDraft(accountId: number, peer: string, draft: string): Promise<ApiError | null> {
    const current = this.find(accountId, peer)
    if (current && current.draft !== draft) this.upsert({ ...current, draft })
    const result = await this.#api.call('conversations:setDraft', { accountId, peer, draft })
    return result.ok ? null : result.error
  }

  /** Marks a conversation read; repeated calls while one is in flight are dropped. */
  async markRead(accountId: number, peer: string): Promise<ApiError | null> {
    const key = `${accountId}\n${peer}`
    if (this.#markingRead.has(key)) return null
    this.#markingRead.add(key)
    try {
      const result = await this.#api.call('conversations:markRead', { accountId, peer })
      if (!result.ok) return result.error
      this.upsert(result.result)
      return null
    } finally {
      this.#markingRead.delete(key)
    }
  }
}
