import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  parseWindowState,
  readWindowState,
  restoredWindowState,
  sanitizeBounds,
  startMinimizedFromArgv,
  trackWindowState,
  WINDOW_STATE_FILE,
  writeWindowState,
  type Bounds,
  type TrackedWindow,
} from './window-state.ts'

const primary: Bounds = { x: 0, y: 0, width: 1920, height: 1040 }
const right: Bounds = { x: 1920, y: 0, width: 1280, height: 1000 }

describe('sanitizeBounds', () => {
  it('keeps bounds that lie on a display', () => {
    expect(sanitizeBounds({ x: 100, y: 80, width: 1000, height: 700 }, [primary])).toEqual({ x: 100, y: 80, width: 1000, height: 700 })
    expect(sanitizeBounds({ x: 2000, y: 50, width: 900, height: 600 }, [primary, right])).toEqual({ x: 2000, y: 50, width: 900, height: 600 })
  })

  it('drops bounds on a display that is gone, or barely visible', () => {
    expect(sanitizeBounds({ x: 2000, y: 50, width: 900, height: 600 }, [primary])).toBeNull()
    expect(sanitizeBounds({ x: 1900, y: 50, width: 900, height: 600 }, [primary])).toBeNull() // 20 px left on screen
    expect(sanitizeBounds({ x: -5000, y: -5000, width: 800, height: 600 }, [primary, right])).toBeNull()
    expect(sanitizeBounds({ x: 0, y: 0, width: 800, height: 600 }, [])).toBeNull()
  })

  it('shrinks to the display, grows to the minimum size, rounds, and rejects nonsense', () => {
    expect(sanitizeBounds({ x: 10, y: 10, width: 5000, height: 3000 }, [primary])).toEqual({ x: 10, y: 10, width: 1920, height: 1040 })
    expect(sanitizeBounds({ x: 10.4, y: 10.6, width: 200, height: 100 }, [primary])).toEqual({ x: 10, y: 11, width: 640, height: 420 })
    expect(sanitizeBounds({ x: 0, y: 0, width: 0, height: 600 }, [primary])).toBeNull()
    expect(sanitizeBounds({ x: Number.NaN, y: 0, width: 800, height: 600 }, [primary])).toBeNull()
  })
})

describe('parseWindowState / restoredWindowState', () => {
  it('accepts only a well-formed state', () => {
    expect(parseWindowState({ bounds: { x: 1, y: 2, width: 800, height: 600, extra: 1 }, maximized: true })).toEqual({
      bounds: { x: 1, y: 2, width: 800, height: 600 },
      maximized: true,
    })
    expect(parseWindowState({ bounds: { x: 1, y: 2, width: 800 }, maximized: true })).toBeNull()
    expect(parseWindowState({ bounds: { x: '1', y: 2, width: 800, height: 600 } })).toBeNull()
    expect(parseWindowState(null)).toBeNull()
    expect(parseWindowState({ bounds: { x: 1, y: 2, width: 800, height: 600 }, maximized: 'yes' })?.maximized).toBe(false)
  })

  it('restores the maximised flag only with usable bounds', () => {
    const saved = { bounds: { x: 2000, y: 0, width: 800, height: 600 }, maximized: true }
    expect(restoredWindowState(saved, [primary, right])).toEqual(saved)
    expect(restoredWindowState(saved, [primary])).toBeNull()
    expect(restoredWindowState(null, [primary])).toBeNull()
  })

  it('round-trips through window-state.json; a missing or broken file gives null', () => {
    const dir = mkdtempSync(join(tmpdir(), 'window-state-'))
    expect(readWindowState(dir)).toBeNull()
    const state = { bounds: { x: 5, y: 6, width: 700, height: 500 }, maximized: false }
    writeWindowState(dir, state)
    expect(readWindowState(dir)).toEqual(state)
    expect(JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8'))).toEqual(state)
    writeFileSync(join(dir, WINDOW_STATE_FILE), 'not json')
    expect(readWindowState(dir)).toBeNull()
  })
})

describe('startMinimizedFromArgv', () => {
  it('finds the switch, not in the executable position nor after --', () => {
    expect(startMinimizedFromArgv(['/app/ciphermoon', '--start-minimized'])).toBe(true)
    expect(startMinimizedFromArgv(['/app/electron', '.', '--start-minimised'])).toBe(true)
    expect(startMinimizedFromArgv(['/app/ciphermoon'])).toBe(false)
    expect(startMinimizedFromArgv(['--start-minimized'])).toBe(false)
    expect(startMinimizedFromArgv(['/app/ciphermoon', '--', '--start-minimized'])).toBe(false)
    expect(startMinimizedFromArgv(['/app/ciphermoon', '--start-minimized=1'])).toBe(false)
  })
})

class FakeWindow implements TrackedWindow {
  readonly listeners = new Map<string, Set<() => void>>()
  bounds: Bounds = { x: 0, y: 0, width: 800, height: 600 }
  maximized = false
  destroyed = false
  on(event: string, listener: () => void) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set())
    this.listeners.get(event)!.add(listener)
    return this
  }
  removeListener(event: string, listener: () => void) {
    this.listeners.get(event)?.delete(listener)
    return this
  }
  emit(event: string) {
    for (const listener of this.listeners.get(event) ?? []) listener()
  }
  getNormalBounds() {
    return { ...this.bounds }
  }
  isMaximized() {
    return this.maximized
  }
  isDestroyed() {
    return this.destroyed
  }
}

describe('trackWindowState', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('saves once after moving and resizing stop, and right away on close', () => {
    vi.useFakeTimers()
    const window = new FakeWindow()
    const saved: unknown[] = []
    trackWindowState(window, (state) => saved.push(state), 500)
    window.emit('move')
    vi.advanceTimersByTime(300)
    window.bounds = { x: 10, y: 10, width: 900, height: 700 }
    window.emit('resize')
    vi.advanceTimersByTime(300)
    expect(saved).toEqual([])
    vi.advanceTimersByTime(200)
    expect(saved).toEqual([{ bounds: { x: 10, y: 10, width: 900, height: 700 }, maximized: false }])
    window.maximized = true
    window.emit('resize')
    window.emit('close')
    expect(saved).toHaveLength(2)
    expect(saved[1]).toEqual({ bounds: { x: 10, y: 10, width: 900, height: 700 }, maximized: true })
    vi.advanceTimersByTime(1000)
    expect(saved).toHaveLength(2)
  })

  it('stops listening when asked, and never reads a destroyed window', () => {
    vi.useFakeTimers()
    const window = new FakeWindow()
    const saved: unknown[] = []
    const stop = trackWindowState(window, (state) => saved.push(state), 500)
    window.emit('move')
    stop()
    vi.advanceTimersByTime(1000)
    window.emit('close')
    expect(saved).toEqual([])
    expect([...window.listeners.values()].every((set) => set.size === 0)).toBe(true)

    const gone = new FakeWindow()
    trackWindowState(gone, (state) => saved.push(state), 500)
    gone.emit('resize')
    gone.destroyed = true
    vi.advanceTimersByTime(1000)
    expect(saved).toEqual([])
  })
})
