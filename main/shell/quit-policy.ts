import type { AppSettingsDto } from '../../preload/api.ts'

/**
 * What happens after the last window closed (Electron 'window-all-closed'): quit, or keep running.
 * - macOS: never quits here; the app stays in the dock like every Mac app, and the dock icon (or the
 *   tray) brings the window back.
 * - Windows/Linux: keeps running only with the setting "Keep running in the tray" on and a tray icon to
 *   come back through. While the database is locked the settings are unknown (null) and nothing runs in
 *   the background anyway (no account is connected), so the app quits.
 */
export function shouldQuitWhenAllWindowsClosed(options: {
  platform: NodeJS.Platform
  hasTray: boolean
  settings: Pick<AppSettingsDto, 'keepRunningInTray'> | null
}): boolean {
  if (options.platform === 'darwin') return false
  if (!options.hasTray || options.settings === null) return true
  return !options.settings.keepRunningInTray
}
