/**
 * Remembers the main window's size, position and maximised state in `window-state.json` in the user
 * data directory, and restores them only where a current display shows them (a monitor unplugged since
 * must not leave the window off-screen). Also the `--start-minimized` switch (start in the tray).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const WINDOW_STATE_FILE = 'window-state.json'
export const START_MINIMIZED_FLAGS: readonly string[] = ['--start-minimized', '--start-minimised']
/** The window's minimum size (window-options.ts). */
export const MIN_SIZE = { width: 640, height: 420 }
/** A restored window must show at least this much of itself on one display (enough to grab the title bar). */
const MIN_VISIBLE = { width: 100, height: 50 }

export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export interface SavedWindowState {
  bounds: Bounds
  maximized: boolean
}

function isBounds(value: unknown): value is Bounds {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return ['x', 'y', 'width', 'height'].every((key) => typeof record[key] === 'number' && Number.isFinite(record[key]))
}

/** The file's content (anything) → the saved state, or null when it is not one. */
export function parseWindowState(raw: unknown): SavedWindowState | null {
  if (typeof raw !== 'object' || raw === null) return null
  const record = raw as Record<string, unknown>
  if (!isBounds(record.bounds)) return null
  const { x, y, width, height } = record.bounds
  return { bounds: { x, y, width, height }, maximized: record.maximized === true }
}

function overlap(a: Bounds, b: Bounds): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  }
}

/**
 * The saved bounds if they intersect a current display's work area by a usable amount, shrunk to fit
 * that display and at least the minimum size; else null (use the defaults).
 */
export function sanitizeBounds(saved: Bounds, displays: readonly Bounds[]): Bounds | null {
  if (!isBounds(saved) || saved.width <= 0 || saved.height <= 0) return null
  let best: { display: Bounds; area: number } | null = null
  for (const display of displays) {
    const { width, height } = overlap(saved, display)
    if (width < Math.min(MIN_VISIBLE.width, saved.width) || height < Math.min(MIN_VISIBLE.height, saved.height)) continue
    if (!best || width * height > best.area) best = { display, area: width * height }
  }
  if (!best) return null
  const { display } = best
  const width = Math.round(Math.max(MIN_SIZE.width, Math.min(saved.width, display.width)))
  const height = Math.round(Math.max(MIN_SIZE.height, Math.min(saved.height, display.height)))
  return { x: Math.round(saved.x), y: Math.round(saved.y), width, height }
}

/** `--start-minimized` before any `--` (after which the command line is a link, never a switch). */
export function startMinimizedFromArgv(argv: readonly string[]): boolean {
  for (const arg of argv.slice(1)) {
    if (arg === '--') return false
    if (START_MINIMIZED_FLAGS.includes(arg)) return true
  }
  return false
}

export function readWindowState(userDataDir: string): SavedWindowState | null {
  try {
    return parseWindowState(JSON.parse(readFileSync(join(userDataDir, WINDOW_STATE_FILE), 'utf8')))
  } catch {
    return null
  }
}

/** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
export function writeWindowState(userDataDir: string, state: SavedWindowState): void {
  const file = join(userDataDir, WINDOW_STATE_FILE)
  try {
    writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`)
    renameSync(`${file}.tmp`, file)
  } catch (error) {
    console.warn('[shell] could not save the window position:', error)
  }
}

/** What to restore: the saved state where it fits the current displays, else nothing (the defaults). */
export function restoredWindowState(saved: SavedWindowState | null, displays: readonly Bounds[]): SavedWindowState | null {
  if (!saved) return null
  const bounds = sanitizeBounds(saved.bounds, displays)
  return bounds ? { bounds, maximized: saved.maximized } : null
}

/** The part of a BrowserWindow the tracker uses. */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown
  removeListener(event: 'resize' | 'move' | 'close', listener: () => void): unknown
  getNormalBounds(): Bounds
  isMaximized(): boolean
  isDestroyed(): boolean
}

/**
 * Saves the window state after it stopped moving or resizing for `delayMs`, and right away on close.
 * Returns a function that stops tracking (and drops a pending save).
 */
export function trackWindowState(window: TrackedWindow, save: (state: SavedWindowState) => void, delayMs = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const cancel = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  const saveNow = (): void => {
    cancel()
    if (!window.isDestroyed()) save({ bounds: window.getNormalBounds(), maximized: window.isMaximized() })
  }
  const later = (): void => {
    cancel()
    timer = setTimeout(saveNow, delayMs)
  }
  window.on('resize', later)
  window.on('move', later)
  window.on('close', saveNow)
  return () => {
    cancel()
    window.removeListener('resize', later)
    window.removeListener('move', later)
    window.removeListener('close', saveNow)
  }
}
