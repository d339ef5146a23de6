/**
 * The shell's view of the app settings (notifications, tray), which live in the core's encrypted
 * database: read when the database opens, replaced by every `app:settingsChanged`, unknown (null)
 * while the database is locked. The shell asks `current()` when it decides, so a change applies at
 * once, without a restart.
 */
import type { AppSettingsDto } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'
import { watchCorePhase } from './core-phase.ts'

export interface AppSettingsView {
  /** The settings as they are now, or null while they are unknown (database locked, or still being read). */
  current(): AppSettingsDto | null
  stop(): void
}

export function trackAppSettings(core: Pick<Core, 'subscribe' | 'request'>): AppSettingsView {
  let settings: AppSettingsDto | null = null
  // Bumped by every change; a read that started before the latest change is stale and dropped.
  let generation = 0

  const unsubscribe = core.subscribe((envelope) => {
    if (envelope.event !== 'app:settingsChanged') return
    generation += 1
    settings = envelope.payload
  })
  const stopWatching = watchCorePhase(core, {
    ready: () => {
      const asked = ++generation
      core.request('app:getSettings', {}).then(
        (read) => {
          if (asked === generation) settings = read
        },
        (error: unknown) => console.warn('[shell] could not read the app settings:', error),
      )
    },
    locked: () => {
      generation += 1
      settings = null
    },
  })
  return {
    current: () => settings,
    stop: () => {
      stopWatching()
      unsubscribe()
    },
  }
}
