import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCore, createFixedKeyProvider, type Core } from '../core/index.ts'
import { DEFAULT_APP_SETTINGS } from '../core/settings/app-settings.ts'
import { LEGACY_NOTIFICATION_SETTINGS_FILE, legacyNotificationChanges, migrateLegacyNotificationSettings } from './legacy-notification-settings.ts'

describe('legacyNotificationChanges', () => {
  it('turns the old file’s booleans into the settings they stood for', () => {
    expect(legacyNotificationChanges('{ "showText": true }')).toEqual({ showMessageText: true })
    expect(legacyNotificationChanges('{ "enabled": false }')).toEqual({ showNotifications: false })
    expect(legacyNotificationChanges('{ "enabled": true, "showText": false, "other": 1 }')).toEqual({ showNotifications: true, showMessageText: false })
  })

  it('asks for nothing from a broken, empty or non-boolean file', () => {
    for (const text of ['{ broken', '', 'null', '[true]', '{ "showText": "yes", "enabled": 0 }', '{}']) {
      expect(legacyNotificationChanges(text), text).toBeNull()
    }
  })
})

describe('migrateLegacyNotificationSettings', () => {
  let dataDir: string
  let core: Core
  const file = () => join(dataDir, LEGACY_NOTIFICATION_SETTINGS_FILE)

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'legacy-notifications-'))
    core = await createCore({ dataDir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('moves the settings into the database and removes the file, once', async () => {
    writeFileSync(file(), '{ "showText": true, "enabled": false }')
    expect(await migrateLegacyNotificationSettings(dataDir, core)).toBe('migrated')
    expect(await core.request('app:getSettings', {})).toEqual({ ...DEFAULT_APP_SETTINGS, showNotifications: false, showMessageText: true })
    expect(existsSync(file())).toBe(false)

    await core.request('app:setSettings', { showNotifications: true })
    expect(await migrateLegacyNotificationSettings(dataDir, core)).toBe('no-file')
    expect(await core.request('app:getSettings', {})).toMatchObject({ showNotifications: true })
  })

  it('removes a file without usable settings and changes nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    writeFileSync(file(), '{ broken')
    expect(await migrateLegacyNotificationSettings(dataDir, core)).toBe('nothing-to-migrate')
    expect(existsSync(file())).toBe(false)
    expect(await core.request('app:getSettings', {})).toEqual(DEFAULT_APP_SETTINGS)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('notifications.json has no usable settings'))
  })
})
