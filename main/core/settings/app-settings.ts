/**
 * The app's own settings (notifications, tray: AppSettingsDto), one JSON value under `app` in the
 * encrypted database's settings table, next to the OMEMO settings under `omemo`.
 */
import type { AppSettingsDto, MethodInput } from '../../../preload/api.ts'
import type { SettingsRepo } from '../store/repos/settings-repo.ts'

export const APP_SETTINGS_KEY = 'app'

/** Notifications on, but without the message text (privacy: see AppSettingsDto); tray on. */
export const DEFAULT_APP_SETTINGS: Readonly<AppSettingsDto> = Object.freeze({
  showNotifications: true,
  showMessageText: false,
  keepRunningInTray: true,
})

const FIELDS = Object.keys(DEFAULT_APP_SETTINGS) as Array<keyof AppSettingsDto>

/** The stored settings over the defaults; anything stored that is not a boolean of a known field is ignored. */
export function readAppSettings(settings: Pick<SettingsRepo, 'get'>): AppSettingsDto {
  const stored: unknown = settings.get(APP_SETTINGS_KEY)
  const record = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {}
  const result = { ...DEFAULT_APP_SETTINGS }
  for (const field of FIELDS) {
    const value = record[field]
    if (typeof value === 'boolean') result[field] = value
  }
  return result
}

/** Applies the given fields (validated by the contract) and returns all settings and whether any changed. */
export function writeAppSettings(
  settings: Pick<SettingsRepo, 'get' | 'set'>,
  changes: MethodInput<'app:setSettings'>,
): { settings: AppSettingsDto; changed: boolean } {
  const before = readAppSettings(settings)
  const next = { ...before }
  for (const field of FIELDS) {
    const value = changes[field]
    if (value !== undefined) next[field] = value
  }
  const changed = FIELDS.some((field) => next[field] !== before[field])
  if (changed) settings.set(APP_SETTINGS_KEY, next)
  return { settings: next, changed }
}
