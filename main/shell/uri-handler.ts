/**
 * `xmpp:` links from the operating system (XEP-0147): macOS hands them over with `open-url`, Windows
 * and Linux start the app (or a second instance) with the link as a command-line argument. The shell
 * only picks the link up and hands it to `core.openUri`, which validates it and tells the renderer.
 *
 * Only the pure parts live here (unit-tested); main/index.ts wires them to Electron.
 */
import { resolve } from 'node:path'

export const URI_SCHEME = 'xmpp'
const MAX_URI_LENGTH = 4096
/** Links that arrive while no window can receive them; more than this in one go is not a person clicking. */
const MAX_PENDING = 8

/**
 * The `xmpp:` link in a command line, or null. The first argument (the executable) and switches
 * (`--flag`) are never taken; of several links, the first counts.
 */
export function uriFromArgv(argv: readonly unknown[]): string | null {
  for (const arg of argv.slice(1)) {
    if (typeof arg !== 'string') continue
    if (arg.length > MAX_URI_LENGTH) continue
    if (/^xmpp:/iu.test(arg)) return arg
  }
  return null
}

/**
 * How to register the app as the `xmpp:` handler. A packaged app is its own executable; a development
 * run is `electron <app path>`, so the app path must be passed along. Electron adds `--` before the
 * link itself, so a crafted link cannot smuggle in Chromium switches.
 */
export function protocolClientArgs(options: { defaultApp: boolean; execPath: string; argv: readonly string[] }): { execPath?: string; args?: string[] } {
  if (!options.defaultApp) return {}
  const appPath = options.argv[1]
  return appPath ? { execPath: options.execPath, args: [resolve(appPath)] } : { execPath: options.execPath }
}

/**
 * Holds links until the window can receive the event (the first launch delivers one before the window
 * has loaded; a closed macOS window is re-created first). Delivers in arrival order. `T` is a link
 * string by default; the shell also queues actions of its own (a notification click) through it.
 */
export class PendingUris<T = string> {
  readonly #deliver: (uri: T) => void
  #queue: T[] = []
  #ready = false

  constructor(deliver: (uri: T) => void) {
    this.#deliver = deliver
  }

  push(uri: T): void {
    if (this.#ready) {
      this.#deliver(uri)
      return
    }
    this.#queue.push(uri)
    if (this.#queue.length > MAX_PENDING) this.#queue.shift()
  }

  /** True once the window has loaded (and the core exists); false while it is gone or loading. */
  setReady(ready: boolean): void {
    this.#ready = ready
    if (!ready) return
    for (const uri of this.#queue.splice(0)) this.#deliver(uri)
  }

  get pending(): number {
    return this.#queue.length
  }
}
