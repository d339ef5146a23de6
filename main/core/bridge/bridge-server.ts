import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { BRIDGE_PATH, type BridgeServerMessage, type Result } from '../../../preload/api.ts'
import type { Core } from '../core-types.ts'
import { authorizeUpgrade, createBridgeToken } from './authorize.ts'
import { contentSecurityPolicy } from './csp.ts'
import { CLOSE_GOING_AWAY, encodeServerMessage, parseClientFrame } from './protocol.ts'
import { contentTypeFor, resolveStaticFile } from './static-files.ts'

export interface BridgeOptions {
  core: Pick<Core, 'call' | 'subscribe'>
  /** The built renderer (out/renderer). */
  staticDir: string
  /** Loopback only; there is deliberately no way to listen on another interface. */
  host?: '127.0.0.1'
  /** 0 or absent: an ephemeral port. */
  port?: number
  /** Largest accepted frame; a bigger one closes the socket with 1009. Default 256 KiB. */
  maxPayloadBytes?: number
}

export interface Bridge {
  /** What the user opens: `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const DEFAULT_MAX_PAYLOAD = 256 * 1024
/** Calls one socket may have running at once; more are answered with an error, not queued. */
const MAX_CALLS_IN_FLIGHT = 128
/** A client that stops reading gets dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  421: 'Misdirected Request',
  426: 'Upgrade Required',
  500: 'Internal Server Error',
}

/**
 * Browser mode (ARCHITECTURE.md "Browser mode"): one HTTP server on 127.0.0.1 that serves the built
 * renderer and, at BRIDGE_PATH, a WebSocket that carries the same contract as Electron IPC.
 * Only a page from this very origin that knows the per-run token can reach the core.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1') throw new Error('The bridge listens on 127.0.0.1 only')
  const { core, staticDir } = options
  const token = createBridgeToken()
  const clients = new Set<WebSocket>()
  let port = 0

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: false,
  })

  const server = createServer((request, response) => serveStatic(request, response))
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const verdict = authorizeUpgrade({ url: request.url, origin: request.headers.origin, host: request.headers.host }, { token, port })
    if (!verdict.ok) {
      refuseUpgrade(socket, verdict.status)
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => acceptClient(ws))
  })
  server.on('clientError', (_error, socket) => refuseUpgrade(socket, 400))

  function securityHeaders(): Record<string, string> {
    return {
      'Content-Security-Policy': contentSecurityPolicy({ connectSrc: [`ws://127.0.0.1:${port}`] }),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    }
  }

  function sendStatus(response: ServerResponse, status: number, extra: Record<string, string> = {}): void {
    const body = `${STATUS_TEXT[status] ?? 'Error'}\n`
    response.writeHead(status, {
      ...securityHeaders(),
      ...extra,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
    })
    response.end(body)
  }

  function serveStatic(request: IncomingMessage, response: ServerResponse): void {
    // Another Host means the request was meant for another site (DNS rebinding): refuse it.
    if (request.headers.host !== `127.0.0.1:${port}`) return sendStatus(response, 421)
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendStatus(response, 405, { Allow: 'GET, HEAD' })
    let pathname: string
    try {
      pathname = new URL(request.url ?? '/', `http://127.0.0.1:${port}`).pathname
    } catch {
      return sendStatus(response, 400)
    }
    if (pathname === BRIDGE_PATH) return sendStatus(response, 426, { Upgrade: 'websocket' })
    const file = resolveStaticFile(staticDir, pathname)
    if (file === null) {
      // Browsers ask for /favicon.ico on their own; without one, answer "nothing" instead of a 404
      // that shows up as a console error in every page load (and in the e2e tests' console checks).
      if (pathname === '/favicon.ico') {
        response.writeHead(204, securityHeaders())
        response.end()
        return
      }
      return sendStatus(response, 404)
    }
    let size: number
    try {
      size = statSync(file).size
    } catch {
      return sendStatus(response, 404)
    }
    response.writeHead(200, { ...securityHeaders(), 'Content-Type': contentTypeFor(file), 'Content-Length': String(size) })
    if (request.method === 'HEAD') {
      response.end()
      return
    }
    const stream = createReadStream(file)
    stream.on('error', () => response.destroy())
    stream.pipe(response)
  }

  function send(ws: WebSocket, message: BridgeServerMessage | string): void {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate()
      return
    }
    ws.send(typeof message === 'string' ? message : encodeServerMessage(message))
  }

  async function callCore(method: string, params: unknown): Promise<Result<unknown>> {
    try {
      return await core.call(method, params)
    } catch (error) {
      // core.call promises never to throw; if it does anyway, the socket still gets an answer.
      console.error('[bridge] core.call threw:', error)
      return { ok: false, error: { code: 'internal', message: 'Something went wrong; see the log for details' } }
    }
  }

  function acceptClient(ws: WebSocket): void {
    clients.add(ws)
    let callsInFlight = 0
    ws.on('close', () => clients.delete(ws))
    ws.on('error', () => ws.terminate())
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const verdict = parseClientFrame(rawToBuffer(data), isBinary)
      if (verdict.kind === 'close') {
        ws.close(verdict.code, verdict.reason)
        return
      }
      if (verdict.kind === 'reject') {
        send(ws, { type: 'result', id: verdict.id, result: verdict.result })
        return
      }
      const { id, method, params } = verdict.message
      if (callsInFlight >= MAX_CALLS_IN_FLIGHT) {
        send(ws, { type: 'result', id, result: { ok: false, error: { code: 'invalid-input', message: 'Too many calls in flight' } } })
        return
      }
      callsInFlight += 1
      void callCore(method, params).then((result) => {
        callsInFlight -= 1
        send(ws, { type: 'result', id, result })
      })
    })
  }

  const unsubscribe = core.subscribe((envelope) => {
    if (clients.size === 0) return
    const text = encodeServerMessage({ type: 'event', envelope })
    for (const ws of clients) send(ws, text)
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port: options.port ?? 0, exclusive: true }, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    unsubscribe()
    throw error
  }
  port = (server.address() as AddressInfo).port

  let closing: Promise<void> | null = null
  async function close(): Promise<void> {
    closing ??= (async () => {
      unsubscribe()
      const closed = [...clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve())
            ws.close(CLOSE_GOING_AWAY, 'Server shutting down')
          }),
      )
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 1000).unref())])
      for (const ws of clients) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })()
    return closing
  }

  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, close }
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

/** Answers a refused upgrade with a bare HTTP status and drops the socket (no WebSocket is made). */
function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return
  const text = STATUS_TEXT[status] ?? 'Error'
  socket.once('finish', () => socket.destroy())
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`)
}

