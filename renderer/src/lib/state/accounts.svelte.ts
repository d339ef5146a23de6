import type { AccountDto, Api, ApiError, MethodParams } from '../../../../preload/api.ts'

const SELECTED_KEY = 'selectedAccountId'

function readSelected(): number | null {
  try {
    const raw = localStorage.getItem(SELECTED_KEY)
    const id = raw === null ? NaN : Number(raw)
    return Number.isInteger(id) ? id : null
  } catch {
    return null
  }
}

function writeSelected(id: number | null): void {
  try {
    if (id === null) localStorage.removeItem(SELECTED_KEY)
    else localStorage.setItem(SELECTED_KEY, String(id))
  } catch {
    // Storage can be unavailable (private windows, file://); remembering the selection is optional.
  }
}

/** The accounts and which one the UI shows. */
export class AccountsState {
  list = $state.raw<AccountDto[]>([])
  loaded = $state(false)
  loadError = $state<string | null>(null)
  selectedId = $state<number | null>(null)
  selected = $derived(this.list.find((account) => account.id === this.selectedId) ?? null)

  readonly #api: Api

  constructor(api: Api) {
    this.#api = api
  }

  get(accountId: number): AccountDto | undefined {
    return this.list.find((account) => account.id === accountId)
  }

  async load(): Promise<AccountDto[]> {
    const result = await this.#api.call('accounts:list', {})
    if (!result.ok) {
      this.loadError = result.error.message
      return []
    }
    this.loadError = null
    this.list = [...result.result].sort((a, b) => a.id - b.id)
    this.loaded = true
    const remembered = readSelected()
    if (this.selectedId === null || !this.get(this.selectedId)) {
      this.selectedId = (remembered !== null && this.get(remembered) ? remembered : this.list[0]?.id) ?? null
    }
    return this.list
  }

  select(accountId: number | null): void {
    this.selectedId = accountId
    writeSelected(accountId)
  }

  upsert(dto: AccountDto): void {
    const index = this.list.findIndex((account) => account.id === dto.id)
    if (index === -1) this.list = [...this.list, dto].sort((a, b) => a.id - b.id)
    else this.list = this.list.map((account) => (account.id === dto.id ? dto : account))
  }

  forget(accountId: number): void {
    this.list = this.list.filter((account) => account.id !== accountId)
    if (this.selectedId === accountId) this.select(this.list[0]?.id ?? null)
  }

  async add(params: MethodParams<'accounts:add'>): Promise<ApiError | AccountDto> {
    const result = await this.#api.call('accounts:add', params)
    if (!result.ok) return result.error
    this.upsert(result.result)
    return result.result
  }

  async update(params: MethodParams<'accounts:update'>): Promise<ApiError | null> {
    const result = await this.#api.call('accounts:update', params)
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }

  async setEnabled(accountId: number, enabled: boolean): Promise<ApiError | null> {
    const result = await this.#api.call('accounts:setEnabled', { accountId, enabled })
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }

  async remove(accountId: number): Promise<ApiError | null> {
    const result = await this.#api.call('accounts:remove', { accountId })
    if (!result.ok) return result.error
    this.forget(accountId)
    return null
  }

  /** The user cancelled an Add whose login is being checked: the core drops it and saves nothing. */
  async cancelLogin(jid: string): Promise<void> {
    await this.#api.call('accounts:cancelLogin', { jid })
  }

  /** "Retry now": connect at once, backoff started over. */
  async reconnect(accountId: number): Promise<ApiError | null> {
    const result = await this.#api.call('accounts:reconnect', { accountId })
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }

  async trustCertificate(accountId: number, fingerprint: string): Promise<ApiError | null> {
    const result = await this.#api.call('accounts:trustCertificate', { accountId, fingerprint })
    if (!result.ok) return result.error
    this.upsert(result.result)
    return null
  }
}
