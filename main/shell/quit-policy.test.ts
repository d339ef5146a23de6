import { describe, expect, it } from 'vitest'
import { shouldQuitWhenAllWindowsClosed } from './quit-policy.ts'

const keep = { keepRunningInTray: true }
const quit = { keepRunningInTray: false }

describe('shouldQuitWhenAllWindowsClosed', () => {
  it('Windows and Linux keep running in the tray when the setting is on, and quit when it is off', () => {
    for (const platform of ['win32', 'linux'] as const) {
      expect(shouldQuitWhenAllWindowsClosed({ platform, hasTray: true, settings: keep }), platform).toBe(false)
      expect(shouldQuitWhenAllWindowsClosed({ platform, hasTray: true, settings: quit }), platform).toBe(true)
    }
  })

  it('quit without a tray icon to come back through, and while the database is locked (settings unknown)', () => {
    expect(shouldQuitWhenAllWindowsClosed({ platform: 'linux', hasTray: false, settings: keep })).toBe(true)
    expect(shouldQuitWhenAllWindowsClosed({ platform: 'win32', hasTray: true, settings: null })).toBe(true)
  })

  it('macOS keeps its dock behaviour whatever the setting', () => {
    expect(shouldQuitWhenAllWindowsClosed({ platform: 'darwin', hasTray: true, settings: quit })).toBe(false)
    expect(shouldQuitWhenAllWindowsClosed({ platform: 'darwin', hasTray: false, settings: null })).toBe(false)
  })
})
