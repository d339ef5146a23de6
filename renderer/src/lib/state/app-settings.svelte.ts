import type { Api, ApiError, AppSettingsDto, MethodParams } from '../../../../preload/api.ts'

/** The app's notification and tray settings, kept in the core (and current through app:settingsChanged). */
export class AppSettingsState {
  value = $state.raw<AppSettingsDto | null>(null)
  loadError = $state<string | null>(null)

  readonly #api: Api

  constructor(api: Api) {
    this.#api = api
  }

  async load(): Promise<void> {
    const result = await this.#api.call('app:getSettings', {})
    if (!result.ok) {
      this.loadError = result.error.message
      return
    }
    this.loadError = null
    this.value = result.result
  }

  /** Saves the fields given; the core answers with all settings as they are now. */
  async save(patch: MethodParams<'app:setSettings'>): Promise<ApiError | null> {
    const result = await this.#api.call('app:setSettings', patch)
    if (!result.ok) return result.error
    this.value = result.result
    return null
  }

  /** The settings changed elsewhere (another window, the shell's migration). */
  apply(settings: AppSettingsDto): void {
    this.value = settings
  }

  clear(): void {
    this.value = null
    this.loadError = null
  }
}
