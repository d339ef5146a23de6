import type { Result } from '../../../../preload/api.ts'

/**
 * Lists kept per account (roster, conversations): each account's list is loaded once, on demand,
 * with concurrent requests for the same account sharing one load; a failed load is kept in loadErrors.
 */
export class PerAccountLists<T> {
  byAccount = $state.raw<Record<number, T[]>>({})
  loadErrors = $state.raw<Record<number, string>>({})

  readonly #fetch: (accountId: number) => Promise<Result<T[]>>
  readonly #arrange: (list: T[]) => T[]
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- in-flight bookkeeping, never rendered
  readonly #loading = new Map<number, Promise<void>>()

  /** `arrange` orders a freshly loaded list (it may sort it in place). */
  constructor(fetch: (accountId: number) => Promise<Result<T[]>>, arrange: (list: T[]) => T[] = (list) => list) {
    this.#fetch = fetch
    this.#arrange = arrange
  }

  isLoaded(accountId: number): boolean {
    return this.byAccount[accountId] !== undefined
  }

  async load(accountId: number): Promise<void> {
    const result = await this.#fetch(accountId)
    if (!result.ok) {
      this.loadErrors = { ...this.loadErrors, [accountId]: result.error.message }
      return
    }
    const { [accountId]: _dropped, ...others } = this.loadErrors
    this.loadErrors = others
    this.byAccount = { ...this.byAccount, [accountId]: this.#arrange(result.result) }
  }

  /** Loads an account's list unless it is loaded or loading. */
  ensure(accountId: number): Promise<void> {
    if (this.isLoaded(accountId)) return Promise.resolve()
    let loading = this.#loading.get(accountId)
    if (!loading) {
      loading = this.load(accountId).finally(() => this.#loading.delete(accountId))
      this.#loading.set(accountId, loading)
    }
    return loading
  }

  forgetAccount(accountId: number): void {
    const { [accountId]: _dropped, ...others } = this.byAccount
    this.byAccount = others
  }
}
