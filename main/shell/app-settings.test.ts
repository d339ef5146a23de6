/**
 * The shell's view of the app settings and of the core's phase, against real cores (SQLCipher in a
 * temp dir): read when the database opens, replaced by every change, unknown while locked.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCore, createFixedKeyProvider, createPassphraseKeyProvider, type Core } from '../core/index.ts'
import { DEFAULT_APP_SETTINGS } from '../core/settings/app-settings.ts'
import { trackAppSettings } from './app-settings.ts'
import { watchCorePhase } from './core-phase.ts'

const PASSPHRASE = 'correct horse battery'
let dataDir: string
const cores: Core[] = []
const stops: Array<() => void> = []

async function keychainCore(): Promise<Core> {
  const core = await createCore({ dataDir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
  cores.push(core)
  return core
}

async function lockedCore(): Promise<Core> {
  const core = await createCore({ dataDir, keyProvider: createPassphraseKeyProvider(dataDir) })
  cores.push(core)
  return core
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'shell-settings-'))
})
afterEach(async () => {
  for (const stop of stops.splice(0)) stop()
  for (const core of cores.splice(0)) await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('watchCorePhase', () => {
  it('reports a core that is open already (keychain key) once', async () => {
    const core = await keychainCore()
    const calls: string[] = []
    const reached = new Promise<void>((resolve) => {
      stops.push(watchCorePhase(core, { ready: () => (calls.push('ready'), resolve()), locked: () => calls.push('locked') }))
    })
    await reached
    await core.request('app:setSettings', { showMessageText: true })
    expect(calls).toEqual(['ready'])
  })

  it('reports a locked core only once it is unlocked', async () => {
    const core = await lockedCore()
    const calls: string[] = []
    let ready: () => void = () => undefined
    const reached = new Promise<void>((resolve) => (ready = resolve))
    stops.push(watchCorePhase(core, { ready: () => (calls.push('ready'), ready()) }))
    expect(await core.request('app:state', {})).toMatchObject({ phase: 'locked' })
    expect(calls).toEqual([])
    await core.request('app:unlock', { passphrase: PASSPHRASE })
    await reached
    expect(calls).toEqual(['ready'])
  })

  it('reports nothing once stopped', async () => {
    const core = await lockedCore()
    const calls: string[] = []
    const stop = watchCorePhase(core, { ready: () => calls.push('ready') })
    stop()
    await core.request('app:unlock', { passphrase: PASSPHRASE })
    expect(await core.request('app:state', {})).toMatchObject({ phase: 'ready' })
    expect(calls).toEqual([])
  })
})

describe('trackAppSettings', () => {
  it('reads the stored settings of an open database, then follows every change at once', async () => {
    const core = await keychainCore()
    await core.request('app:setSettings', { keepRunningInTray: false })
    const view = trackAppSettings(core)
    stops.push(() => view.stop())
    await vi.waitFor(() => expect(view.current()).toEqual({ ...DEFAULT_APP_SETTINGS, keepRunningInTray: false }))

    await core.request('app:setSettings', { showMessageText: true })
    expect(view.current()).toEqual({ showNotifications: true, showMessageText: true, keepRunningInTray: false })
  })

  it('knows nothing while the database is locked, and the settings once it is unlocked', async () => {
    const core = await lockedCore()
    const view = trackAppSettings(core)
    stops.push(() => view.stop())
    expect(await core.request('app:state', {})).toMatchObject({ phase: 'locked' })
    expect(view.current()).toBeNull()
    await core.request('app:unlock', { passphrase: PASSPHRASE })
    await vi.waitFor(() => expect(view.current()).toEqual(DEFAULT_APP_SETTINGS))
  })

  it('stops following after stop()', async () => {
    const core = await keychainCore()
    const view = trackAppSettings(core)
    await vi.waitFor(() => expect(view.current()).toEqual(DEFAULT_APP_SETTINGS))
    view.stop()
    await core.request('app:setSettings', { showNotifications: false })
    expect(view.current()).toEqual(DEFAULT_APP_SETTINGS)
  })
})
