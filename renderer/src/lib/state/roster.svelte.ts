import type { Api, ApiError, ContactDto, PresenceShow } from '../../../../preload/api.ts'
import { PerAccountLists } from './per-account.svelte.ts'

const PRESENCE_RANK: Record<PresenceShow, number> = { chat: 0, online: 0, away: 1, xa: 2, dnd: 3, offline: 4 }

export function isAvailable(presence: PresenceShow): boolean {
  return presence !== 'offline'
}

export function displayName(contact: Pick<ContactDto, 'jid' | 'name'> | undefined, jid: string): string {
  const name = contact?.name?.trim()
  return name ? name : jid
}

/** Online first (chat/online, then away, xa, dnd), then offline; alphabetical within a group. */
export function sortContacts(contacts: readonly ContactDto[]): ContactDto[] {
  return [...contacts].sort(
    (a, b) =>
      PRESENCE_RANK[a.presence] - PRESENCE_RANK[b.presence] ||
      displayName(a, a.jid).localeCompare(displayName(b, b.jid), undefined, { sensitivity: 'base' }),
  )
}

/** Contacts per account, loaded when an account is first shown and kept current by events. */
export class RosterState extends PerAccountLists<ContactDto> {
  readonly #api: Api

  constructor(api: Api) {
    super((accountId) => api.call('roster:list', { accountId }))
    this.#api = api
  }

  contacts(accountId: number): ContactDto[] {
    return this.byAccount[accountId] ?? []
  }

  find(accountId: number, jid: string): ContactDto | undefined {
    return this.byAccount[accountId]?.find((contact) => contact.jid === jid)
  }

  upsert(dto: ContactDto): void {
    const current = this.byAccount[dto.accountId]
    if (!current) return // loaded in full when the account is shown
    const index = current.findIndex((contact) => contact.jid === dto.jid)
    const next = index === -1 ? [...current, dto] : current.map((contact) => (contact.jid === dto.jid ? dto : contact))
    this.byAccount = { ...this.byAccount, [dto.accountId]: next }
  }

  forget(accountId: number, jid: string): void {
    const current = this.byAccount[accountId]
    if (!current) return
    this.byAccount = { ...this.byAccount, [accountId]: current.filter((contact) => contact.jid !== jid) }
  }

  async add(accountId: number, jid: string, name: string): Promise<ApiError | null> {
    const trimmed = name.trim()
    const result = await this.#api.call('roster:add', trimmed ? { accountId, jid, name: trimmed } : { accountId, jid })
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }

  /** A new name for a contact (empty: none, the address is shown). */
  async rename(accountId: number, jid: string, name: string): Promise<ApiError | null> {
    const result = await this.#api.call('roster:rename', { accountId, jid, name: name.trim() })
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }

  async respond(accountId: number, jid: string, accept: boolean): Promise<ApiError | null> {
    const result = await this.#api.call('roster:respond', { accountId, jid, accept })
    if (!result.ok) return result.error
    if (result.result) this.upsert(result.result)
    else this.forget(accountId, jid)
    return null
  }

  async remove(accountId: number, jid: string): Promise<ApiError | null> {
    const result = await this.#api.call('roster:remove', { accountId, jid })
    if (!result.ok) return result.error
    this.forget(accountId, jid)
    return null
  }
}
