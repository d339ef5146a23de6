import type { Api, ApiError, MethodParams, OmemoSettingsDto } from '../../../../preload/api.ts'

/** App-wide OMEMO settings (trust model, prekeys, sessions). */
export class OmemoSettingsState {
  value = $state.raw<OmemoSettingsDto | null>(null)
  loadError = $state<string | null>(null)

  readonly #api: Api

  constructor(api: Api) {
    this.#api = api
  }

  async load(): Promise<void> {
    const result = await this.#api.call('settings:getOmemo', {})
    if (!result.ok) {
      this.loadError = result.error.message
      return
    }
    this.loadError = null
    this.value = result.result
  }

  /** Saves the fields given; the core answers with all settings as they are now. */
  async save(patch: MethodParams<'settings:setOmemo'>): Promise<ApiError | null> {
    const result = await this.#api.call('settings:setOmemo', patch)
    if (!result.ok) return result.error
    this.value = result.result
    return null
  }

  clear(): void {
    this.value = null
    this.loadError = null
  }
}
