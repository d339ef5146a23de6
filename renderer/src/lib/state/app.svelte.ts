import type { Api, ApiError, AppStateDto } from '../../../../preload/api.ts'

export type Phase = 'starting' | 'locked' | 'ready'

/** Whether the database is open, and whether we still reach the core at all. */
export class AppState {
  phase = $state<Phase>('starting')
  databaseExists = $state(true)
  keyProtection = $state<AppStateDto['keyProtection']>('passphrase')
  /** Set when the connection to the core is gone for good; the UI then shows nothing else. */
  lost = $state<string | null>(null)
  /** Set when the first `app:state` failed for another reason. */
  startError = $state<string | null>(null)
  /** The page is visible (used to decide whether an open conversation counts as read). */
  visible = $state(typeof document === 'undefined' ? true : document.visibilityState === 'visible')

  readonly #api: Api

  constructor(api: Api) {
    this.#api = api
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => {
        this.visible = document.visibilityState === 'visible'
      })
    }
  }

  apply(dto: AppStateDto): void {
    this.phase = dto.phase
    this.databaseExists = dto.databaseExists
    this.keyProtection = dto.keyProtection
  }

  async load(): Promise<void> {
    const result = await this.#api.call('app:state', {})
    if (result.ok) {
      this.startError = null
      this.apply(result.result)
    } else {
      this.startError = result.error.message
    }
  }

  /** Opens (or, the first time, creates) the encrypted database. */
  async unlock(passphrase: string): Promise<ApiError | null> {
    const result = await this.#api.call('app:unlock', { passphrase })
    if (!result.ok) return result.error
    this.apply(result.result)
    return null
  }

  /** Re-keys the database for a new passphrase (passphrase-protected databases only). */
  async changePassphrase(current: string, next: string): Promise<ApiError | null> {
    const result = await this.#api.call('app:changePassphrase', { current, next })
    if (!result.ok) return result.error
    this.apply(result.result)
    return null
  }
}
