/**
 * The sandboxed preload: exposes exactly one frozen object, `window.api` (the `Api` of preload/api.ts),
 * and nothing else. Calls go over `ipcRenderer.invoke` only for the contract's method names; main
 * validates every payload again (main/shell/ipc.ts), so this list is a convenience, not the boundary.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNEL, methodNames, type Api, type EventEnvelope, type Result } from './api.ts'

const knownMethods: ReadonlySet<string> = new Set(methodNames)

function failure(code: 'unknown-method' | 'invalid-input' | 'internal', message: string): Result<never> {
  return { ok: false, error: { code, message } }
}

const api: Api = Object.freeze({
  call(method: string, params: unknown) {
    if (typeof method !== 'string' || !knownMethods.has(method)) {
      const name = typeof method === 'string' ? method.slice(0, 80) : typeof method
      return Promise.resolve(failure('unknown-method', `Unknown method: ${name}`))
    }
    // invoke rejects only when the params cannot be cloned or the handler is missing.
    return ipcRenderer
      .invoke(method, params)
      .catch(() => failure('invalid-input', 'The parameters could not be sent to the app'))
  },
  onEvent(listener: (envelope: EventEnvelope) => void) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function')
    const forward = (_event: IpcRendererEvent, envelope: EventEnvelope): void => listener(envelope)
    ipcRenderer.on(EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward)
    }
  },
} as Api)

contextBridge.exposeInMainWorld('api', api)
