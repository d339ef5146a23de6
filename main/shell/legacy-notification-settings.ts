/**
 * One-time migration of `notifications.json` in the user data directory, the hand-edited file that held
 * the notification settings before they moved into the app settings (`{ "enabled": false }`,
 * `{ "showText": true }`). Its values are written with app:setSettings once the database is open, then
 * the file is deleted; a file without usable values is deleted too.
 */
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { MethodParams } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'

export const LEGACY_NOTIFICATION_SETTINGS_FILE = 'notifications.json'

/** The file's text → the settings it asked for (only its boolean `enabled` / `showText`); null when it asks for nothing. */
export function legacyNotificationChanges(text: string): MethodParams<'app:setSettings'> | null {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null
  const record = raw as Record<string, unknown>
  const changes: MethodParams<'app:setSettings'> = {}
  if (typeof record.enabled === 'boolean') changes.showNotifications = record.enabled
  if (typeof record.showText === 'boolean') changes.showMessageText = record.showText
  return Object.keys(changes).length > 0 ? changes : null
}

/** Moves the file's settings into the core (which must be unlocked) and deletes it. */
export async function migrateLegacyNotificationSettings(
  userDataDir: string,
  core: Pick<Core, 'request'>,
): Promise<'no-file' | 'migrated' | 'nothing-to-migrate'> {
  const file = join(userDataDir, LEGACY_NOTIFICATION_SETTINGS_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'no-file'
    throw error
  }
  const changes = legacyNotificationChanges(text)
  if (changes) await core.request('app:setSettings', changes)
  else console.warn(`[shell] ${LEGACY_NOTIFICATION_SETTINGS_FILE} has no usable settings; removing it`)
  await rm(file, { force: true })
  return changes ? 'migrated' : 'nothing-to-migrate'
}
