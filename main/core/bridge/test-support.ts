/** Helpers for the bridge tests: a throwaway static dir, a real core, and a small `ws` client. */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import type { BridgeServerMessage, EventEnvelope, Result } from '../../../preload/api.ts'
import type { Core } from '../core-types.ts'
import { createCore } from '../index.ts'
import { createFixedKeyProvider } from '../keys/passphrase-key-provider.ts'

export interface Sandbox {
  /** Parent of the static dir: holds files that must never be served. */
  root: string
  staticDir: string
  dataDir: string
  cleanup(): void
}

/** root/{package.json, secret.txt, data/, www/{index.html, assets/app.js, escape -> root}} */
export function makeSandbox(indexHtml = '<!doctype html><title>t</title><script type="module" src="/assets/app.js"></script>'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'bridge-test-'))
  const staticDir = join(root, 'www')
  const dataDir = join(root, 'data')
  mkdirSync(join(staticDir, 'assets'), { recursive: true })
  writeFileSync(join(root, 'package.json'), '{"name":"must-not-be-served"}')
  writeFileSync(join(root, 'secret.txt'), 'SECRET')
  writeFileSync(join(staticDir, 'index.html'), indexHtml)
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app")')
  writeFileSync(join(staticDir, 'assets', 'style.css'), 'body{}')
  symlinkSync(root, join(staticDir, 'escape'))
  return { root, staticDir, dataDir, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

export async function makeCore(dataDir: string): Promise<Core> {
  return createCore({ dataDir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
}

export class UpgradeRefused extends Error {
  readonly status: number
  constructor(status: number) {
    super(`upgrade refused with HTTP ${status}`)
    this.status = status
  }
}

export interface ConnectOptions {
  origin?: string | null
  token?: string | null
  headers?: Record<string, string>
  path?: string
}

/** Opens a WebSocket to the bridge; rejects with UpgradeRefused when the server answers with a status. */
export function connect(port: number, token: string, options: ConnectOptions = {}): Promise<BridgeClient> {
  const path = options.path ?? '/bridge'
  const givenToken = options.token === undefined ? token : options.token
  const query = givenToken === null ? '' : `?token=${encodeURIComponent(givenToken)}`
  const origin = options.origin === undefined ? `http://127.0.0.1:${port}` : options.origin
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}${query}`, {
    ...(origin === null ? {} : { origin }),
    headers: options.headers,
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(new BridgeClient(ws)))
    ws.once('unexpected-response', (_request, response) => {
      reject(new UpgradeRefused(response.statusCode ?? 0))
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

export class BridgeClient {
  readonly ws: WebSocket
  readonly events: EventEnvelope[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  #nextId = 1
  readonly #pending = new Map<number, (result: Result<unknown>) => void>()
  readonly #eventWaiters: Array<() => void> = []

  constructor(ws: WebSocket) {
    this.ws = ws
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as BridgeServerMessage
      if (message.type === 'result') {
        this.#pending.get(message.id)?.(message.result)
        this.#pending.delete(message.id)
      } else {
        this.events.push(message.envelope)
        for (const wake of this.#eventWaiters.splice(0)) wake()
      }
    })
  }

  /** Sends a raw frame (anything) and waits for the answer with `id`. */
  sendRaw(frame: string | Buffer, id: number, binary = false): Promise<Result<unknown>> {
    const answer = new Promise<Result<unknown>>((resolve) => this.#pending.set(id, resolve))
    this.ws.send(frame, { binary })
    return answer
  }

  call(method: unknown, params?: unknown): Promise<Result<unknown>> {
    const id = this.#nextId++
    return this.sendRaw(JSON.stringify({ type: 'call', id, method, params }), id)
  }

  async waitForEvent(predicate: (envelope: EventEnvelope) => boolean, timeoutMs = 5000): Promise<EventEnvelope> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(predicate)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for an event')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#eventWaiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  close(): void {
    this.ws.close()
  }
}
