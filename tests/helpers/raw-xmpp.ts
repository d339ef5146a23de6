/**
 * A bare-bones XMPP byte exchange over a socket, for probing a server and for wire-level tests.
 * It matches text, it does not parse XML: use it only where the exact bytes are the point.
 */
import { connect, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

export const STARTTLS_REQUEST = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

/** RFC 6120 §4.2: the initial stream header a client sends. */
export function clientStreamHeader(domain: string): string {
  return (
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
    `xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`
  )
}

/** Buffers everything received on a socket so an expected reply cannot be missed between reads. */
export class RawXmppStream {
  readonly socket: Socket | TLSSocket
  #received = ''
  #closed = false
  #notify: (() => void) | undefined

  readonly #onData = (chunk: Buffer): void => {
    this.#received += chunk.toString('utf8')
    this.#notify?.()
  }

  readonly #onEnd = (): void => {
    this.#closed = true
    this.#notify?.()
  }

  constructor(socket: Socket | TLSSocket) {
    this.socket = socket
    socket.on('data', this.#onData)
    socket.on('close', this.#onEnd)
    socket.on('error', this.#onEnd)
  }

  send(text: string): void {
    this.socket.write(text)
  }

  /** Resolves with all text received up to and including the first match of `pattern`, and consumes it. */
  expect(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`No ${pattern} within ${timeoutMs} ms; got: ${this.#received}`)), timeoutMs)
      const finish = (error?: Error): void => {
        clearTimeout(timer)
        this.#notify = undefined
        if (error) reject(error)
      }
      const check = (): void => {
        const match = pattern.exec(this.#received)
        if (match) {
          const end = match.index + match[0].length
          const consumed = this.#received.slice(0, end)
          this.#received = this.#received.slice(end)
          finish()
          resolve(consumed)
        } else if (this.#closed) {
          finish(new Error(`Connection closed before ${pattern}; got: ${this.#received}`))
        }
      }
      this.#notify = check
      check()
    })
  }

  /** Stops reading, e.g. before handing the socket to tls.connect for STARTTLS. */
  detach(): Socket | TLSSocket {
    this.socket.off('data', this.#onData)
    this.socket.off('close', this.#onEnd)
    this.socket.off('error', this.#onEnd)
    return this.socket
  }

  close(): void {
    this.detach()
    this.socket.destroy()
  }
}

/** Opens a plain TCP connection; rejects if it cannot be established within `timeoutMs`. */
export function openTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const fail = (error: Error): void => {
      socket.destroy()
      reject(error)
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`TCP connect to ${host}:${port} timed out`)))
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.setTimeout(0)
      socket.off('error', fail)
      resolve(socket)
    })
  })
}

/** True when `host:port` accepts TCP and answers a client stream header with stream features. */
export async function answersXmppStream(host: string, port: number, domain: string, timeoutMs = 2_000): Promise<boolean> {
  let stream: RawXmppStream | undefined
  try {
    stream = new RawXmppStream(await openTcp(host, port, timeoutMs))
    stream.send(clientStreamHeader(domain))
    await stream.expect(/<stream:features[\s>]/u, timeoutMs)
    return true
  } catch {
    return false
  } finally {
    stream?.close()
  }
}
