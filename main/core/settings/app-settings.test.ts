/**
 * app:getSettings / app:setSettings through the contract, on a real SQLCipher database: defaults, a
 * partial change, the app:settingsChanged event, kept across a restart, hostile payloads rejected
 * without a change, and only while unlocked.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventEnvelope } from '../../../preload/api.ts'
import { createCore, createFixedKeyProvider, createPassphraseKeyProvider, type Core } from '../index.ts'
import { APP_SETTINGS_KEY, DEFAULT_APP_SETTINGS, readAppSettings } from './app-settings.ts'

let dataDir: string
let key: Buffer
const cores: Core[] = []

async function openCore(): Promise<Core> {
  const core = await createCore({ dataDir, keyProvider: createFixedKeyProvider(key) })
  cores.push(core)
  return core
}

function recordEvents(core: Core): EventEnvelope[] {
  const seen: EventEnvelope[] = []
  core.subscribe((envelope) => seen.push(envelope))
  return seen
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'app-settings-'))
  key = randomBytes(32)
})
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('app settings (notifications, tray)', () => {
  it('start as notifications on without message text, tray on', async () => {
    const core = await openCore()
    expect(await core.request('app:getSettings', {})).toEqual({ showNotifications: true, showMessageText: false, keepRunningInTray: true })
    expect(await core.request('app:getSettings', undefined)).toEqual(DEFAULT_APP_SETTINGS)
  })

  it('change only the fields given, announce the change once, and are kept across a restart', async () => {
    const core = await openCore()
    const events = recordEvents(core)
    const changed = await core.request('app:setSettings', { showMessageText: true, keepRunningInTray: false })
    expect(changed).toEqual({ showNotifications: true, showMessageText: true, keepRunningInTray: false })
    expect(await core.request('app:setSettings', { showMessageText: true })).toEqual(changed)
    expect(await core.request('app:setSettings', {})).toEqual(changed)
    expect(events.filter((envelope) => envelope.event === 'app:settingsChanged')).toEqual([{ event: 'app:settingsChanged', payload: changed }])

    await core.close()
    cores.length = 0
    const reopened = await openCore()
    expect(await reopened.request('app:getSettings', {})).toEqual(changed)
  })

  it.each([
    ['app:setSettings', { showNotifications: 'no' }],
    ['app:setSettings', { showMessageText: 1 }],
    ['app:setSettings', { keepRunningInTray: null }],
    ['app:setSettings', { showMessageText: true, unknownSetting: true }],
    ['app:setSettings', JSON.parse('{"showNotifications": false, "__proto__": {"showMessageText": true}}')],
    ['app:setSettings', { showNotifications: false, constructor: { prototype: {} } }],
    ['app:setSettings', [false]],
    ['app:setSettings', null],
    ['app:setSettings', 'showMessageText=true'],
    ['app:getSettings', { showMessageText: true }],
    ['app:getSettings', []],
  ])('rejects %s with %j as invalid-input and changes nothing', async (method, payload) => {
    const core = await openCore()
    const events = recordEvents(core)
    const result = await core.call(method, payload)
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/\S/u) } })
    expect(await core.request('app:getSettings', {})).toEqual(DEFAULT_APP_SETTINGS)
    expect(events).toEqual([])
  })

  it('need the unlocked database', async () => {
    const locked = await createCore({ dataDir, keyProvider: createPassphraseKeyProvider(dataDir) })
    cores.push(locked)
    expect(await locked.call('app:getSettings', {})).toMatchObject({ ok: false, error: { code: 'locked' } })
    expect(await locked.call('app:setSettings', { showMessageText: true })).toMatchObject({ ok: false, error: { code: 'locked' } })
  })
})

describe('readAppSettings', () => {
  it('takes only booleans of known fields from what is stored, over the defaults', () => {
    const stored = (value: unknown) => ({ get: <T>(name: string) => (name === APP_SETTINGS_KEY ? (value as T) : undefined) })
    expect(readAppSettings(stored(undefined))).toEqual(DEFAULT_APP_SETTINGS)
    expect(readAppSettings(stored([true]))).toEqual(DEFAULT_APP_SETTINGS)
    expect(readAppSettings(stored('on'))).toEqual(DEFAULT_APP_SETTINGS)
    expect(readAppSettings(stored({ showMessageText: 'yes', showNotifications: 0, keepRunningInTray: false, other: true }))).toEqual({
      showNotifications: true,
      showMessageText: false,
      keepRunningInTray: false,
    })
  })
})
