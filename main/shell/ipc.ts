import type { IpcMainInvokeEvent } from 'electron'
import { EVENT_CHANNEL, methodNames, type EventEnvelope, type Result } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'

/** The parts of an invoke event the trust decision looks at. */
export type InvokeEventLike = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>

/** The part of Electron's ipcMain this module uses (a small fake stands in for it in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

/** The part of a frame the trust decision looks at. */
export interface FrameLike {
  url: string
  parent: unknown
}

const UNTRUSTED_SENDER: Result<never> = {
  ok: false,
  error: { code: 'invalid-input', message: 'This call did not come from the app window' },
}

/**
 * The top frame of our own page, nothing else: not a subframe, not a frame that navigated away,
 * not a destroyed frame (Electron gives null for those).
 */
export function isTrustedFrame(frame: FrameLike | null | undefined, isAppPageUrl: (url: string) => boolean): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppPageUrl(frame.url)
}

/**
 * One `ipcMain.handle` per contract method. Each checks the sender, then hands the payload to
 * `core.call`, which validates it against the contract and never throws. Returns an unregister function.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  core: Pick<Core, 'call'>,
  isTrustedSender: (event: InvokeEventLike) => boolean,
): () => void {
  for (const method of methodNames) {
    ipcMain.handle(method, async (event, ...args) => {
      let trusted = false
      try {
        trusted = isTrustedSender(event)
      } catch {
        trusted = false
      }
      if (!trusted) {
        console.warn(`[shell] refused ${method} from an untrusted sender`)
        return UNTRUSTED_SENDER
      }
      // Exactly one argument: the params. Extra arguments are a sign of a hand-made call.
      if (args.length > 1) return { ok: false, error: { code: 'invalid-input', message: 'Expected one argument' } } satisfies Result<never>
      return core.call(method, args[0])
    })
  }
  return () => {
    for (const method of methodNames) ipcMain.removeHandler(method)
  }
}

/** The part of WebContents that receives events. */
export interface EventTargetContents {
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
}

/** Sends every core event to the app window (whichever window is current). Returns an unsubscribe. */
export function forwardCoreEvents(core: Pick<Core, 'subscribe'>, currentContents: () => EventTargetContents | null): () => void {
  return core.subscribe((envelope: EventEnvelope) => {
    const contents = currentContents()
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, envelope)
  })
}
