/**
 * The renderer's only door to the core (ARCHITECTURE.md "Browser mode"; CONVENTIONS: one lib/api.ts adapter).
 *
 * - Electron: the preload exposes `window.api` (shape = Api from preload/api.ts); we use it as is.
 * - Browser mode: there is no `window.api`; we speak the bridge protocol over a WebSocket to
 *   `ws://<this host>/bridge?token=<token from the page URL>`.
 *
 * Every call resolves with a Result; nothing here throws across to the UI. When the bridge closes,
 * pending and later calls resolve with an error and `transport.lost` listeners are told once.
 */
import type {
  Api,
  ApiError,
  BridgeClientMessage,
  BridgeServerMessage,
  EventEnvelope,
  MethodName,
  MethodParams,
  MethodResults,
  Result,
} from '../../../preload/api.ts'

declare global {
  interface Window {
    /** Exposed by the preload in Electron; absent in browser mode. */
    api?: Api
  }
}

/** Same value as BRIDGE_PATH in preload/api.ts (the renderer may import only types from it). */
const BRIDGE_PATH = '/bridge'

export const LOST_CONNECTION_MESSAGE = 'Lost connection to the app core'

export interface Transport {
  kind: 'electron' | 'bridge'
  /** Called once if the connection to the core is gone for good (browser mode only). */
  onLost(listener: (detail: string) => void): () => void
}

type Listener = (envelope: EventEnvelope) => void

function failure(message: string, code: ApiError['code'] = 'network'): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function createElectronApi(inner: Api): { api: Api; transport: Transport } {
  const api: Api = {
    async call(method, params) {
      try {
        return await inner.call(method, params)
      } catch (error) {
        return failure(error instanceof Error ? error.message : String(error), 'internal')
      }
    },
    onEvent(listener) {
      return inner.onEvent(listener)
    },
  }
  return { api, transport: { kind: 'electron', onLost: () => () => {} } }
}

function createBridgeApi(): { api: Api; transport: Transport } {
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const url = `${scheme}//${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`

  const listeners = new Set<Listener>()
  const lostListeners = new Set<(detail: string) => void>()
  const pending = new Map<number, (result: Result<unknown>) => void>()
  const queue: BridgeClientMessage[] = []
  let nextId = 1
  let opened = false
  let lostDetail: string | null = null

  let socket: WebSocket | null = null
  try {
    socket = new WebSocket(url)
  } catch (error) {
    markLost(error instanceof Error ? error.message : String(error))
  }

  function markLost(detail: string): void {
    if (lostDetail !== null) return
    lostDetail = detail
    queue.length = 0
    for (const resolve of pending.values()) resolve(failure(LOST_CONNECTION_MESSAGE))
    pending.clear()
    for (const listener of lostListeners) listener(detail)
  }

  if (socket) {
    socket.addEventListener('open', () => {
      opened = true
      for (const message of queue.splice(0)) socket?.send(JSON.stringify(message))
    })
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') return
      let message: unknown
      try {
        message = JSON.parse(event.data)
      } catch {
        return
      }
      if (!isObject(message)) return
      const typed = message as BridgeServerMessage
      if (typed.type === 'result') {
        const resolve = pending.get(typed.id)
        if (resolve) {
          pending.delete(typed.id)
          resolve(isObject(typed.result) ? typed.result : failure('Malformed result from the app core', 'internal'))
        }
      } else if (typed.type === 'event' && isObject(typed.envelope)) {
        for (const listener of listeners) {
          try {
            listener(typed.envelope)
          } catch (error) {
            console.error('event listener failed', error)
          }
        }
      }
    })
    socket.addEventListener('close', (event: CloseEvent) => {
      if (!opened) {
        markLost(
          token
            ? `The app core refused the connection or is not running (code ${event.code}).`
            : 'This page was opened without an access token. Open the address printed by "npm run web".',
        )
      } else {
        markLost(`The connection to the app core closed (code ${event.code}). Restart it and reload this page.`)
      }
    })
  }

  const api: Api = {
    call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<Result<MethodResults[M]>> {
      if (lostDetail !== null || !socket) return Promise.resolve(failure(LOST_CONNECTION_MESSAGE))
      const id = nextId++
      const message: BridgeClientMessage = { type: 'call', id, method, params }
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: Result<unknown>) => void)
        if (opened && socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message))
        else queue.push(message)
      })
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  const transport: Transport = {
    kind: 'bridge',
    onLost(listener) {
      if (lostDetail !== null) {
        const detail = lostDetail
        queueMicrotask(() => listener(detail))
      }
      lostListeners.add(listener)
      return () => lostListeners.delete(listener)
    },
  }
  return { api, transport }
}

const created = window.api ? createElectronApi(window.api) : createBridgeApi()

/** The contract, whichever way it is served. */
export const api: Api = created.api
/** How the contract is served, and whether it is gone. */
export const transport: Transport = created.transport
