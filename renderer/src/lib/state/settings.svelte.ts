import type { Api, ApiError, MethodName, MethodParams, MethodResults } from '../../../../preload/api.ts'

/** A settings group the core keeps: a method that reads all of it and one that changes some fields. */
type SettingsMethods = { read: 'settings:getOmemo'; write: 'settings:setOmemo' } | { read: 'app:getSettings'; write: 'app:setSettings' }

/**
 * One group of settings kept in the core: app-wide OMEMO settings (trust model, prekeys, sessions) or the
 * app's notification and tray settings (kept current through app:settingsChanged).
 */
export class SettingsState<Methods extends SettingsMethods> {
  value = $state.raw<MethodResults[Methods['read']] | null>(null)
  loadError = $state<string | null>(null)

  readonly #api: Api
  readonly #methods: Methods

  constructor(api: Api, methods: Methods) {
    this.#api = api
    this.#methods = methods
  }

  async load(): Promise<void> {
    const result = await this.#call(this.#methods.read, {})
    if (!result.ok) {
      this.loadError = result.error.message
      return
    }
    this.loadError = null
    this.value = result.result
  }

  /** Saves the fields given; the core answers with all settings as they are now. */
  async save(patch: MethodParams<Methods['write']>): Promise<ApiError | null> {
    const result = await this.#call(this.#methods.write, patch)
    if (!result.ok) return result.error
    this.value = result.result
    return null
  }

  /** The settings changed elsewhere (another window, the shell). */
  apply(settings: MethodResults[Methods['read']]): void {
    this.value = settings
  }

  clear(): void {
    this.value = null
    this.loadError = null
  }

  /** Both methods of a group answer with the whole group. */
  #call<M extends MethodName>(method: M, params: MethodParams<M>) {
    return this.#api.call(method, params) as Promise<
      { ok: true; result: MethodResults[Methods['read']] } | { ok: false; error: ApiError }
    >
  }
}
