/**
 * Drives the independent OMEMO 0.3 peer (tests/interop/peer/omemo_peer.py: python-omemo + oldmemo +
 * slixmpp under Debian's /usr/bin/python3) over JSON lines, for interop tests against a throwaway Prosody.
 *
 *   const bob = await startOmemoPeer({ server, username: 'bob', password: 'pw' })
 *   const sent = await bob.send(server.jid('alice'), 'hi')
 *   const reply = await bob.nextMessage((message) => message.body === 'hello', 10_000)
 *   await bob.stop()
 *
 * The peer trusts every device blindly by default, validates incoming <encrypted> against the XEP schema,
 * and dedupes messages across live delivery, carbons and MAM (also across restarts with the same dataDir).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { guardAgainstOrphan } from './orphan-guard.ts'
import type { ProsodyServer } from './prosody.ts'

const PYTHON = '/usr/bin/python3' // Debian's: python3-omemo, -oldmemo, -slixmpp live there, not in pyenv
const PEER_SCRIPT = resolve(import.meta.dirname, '../interop/peer/omemo_peer.py')
const DEFAULT_READY_TIMEOUT_MS = 60_000
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 10_000
const STDERR_LINES_KEPT = 200
const STDERR_TAIL_LINES = 40

export interface StartOmemoPeerOptions {
  server: Pick<ProsodyServer, 'host' | 'port' | 'caPem' | 'jid'>
  username: string
  password: string
  /** OMEMO state of this device; reuse it to restart the same device. Default: a temp dir removed by stop(). */
  dataDir?: string
  /** Query MAM before the initial presence, so Prosody skips offline delivery and MAM brings everything. */
  mamCatchUp?: boolean
  readyTimeoutMs?: number
  /** Passes --debug: slixmpp and python-omemo debug logs on the peer's stderr. */
  debug?: boolean
}

export type OmemoPeerSource = 'live' | 'carbon' | 'mam'

export interface OmemoPeerMessage {
  from: string
  senderDevice: number
  /** null for a KeyTransportElement (no <payload>). */
  body: string | null
  keyTransport: boolean
  source: OmemoPeerSource
  /** The stanza's id attribute (what `send`/`keyTransport` report as messageId). */
  messageId: string | null
  /** XEP-0359 stanza-id stamped by our server (the MAM archive id for source 'mam'). */
  stanzaId: string | null
  /** Carried a XEP-0203 delay (offline delivery, MAM). */
  delayed: boolean
  /** Our <key> was marked prekey="true". */
  prekey: boolean
  /** Bytes of key material our <key> carried: 32 (key || GCM tag); 16 in python-omemo's own empty messages. */
  keyMaterialLength: number
}

export interface OmemoPeerDecryptError {
  from: string
  senderDevice: number | null
  message: string
  /** No <key> for this device (XEP-0384 §4.7: a real client drops these silently). */
  notForUs: boolean
  source: OmemoPeerSource
  messageId: string | null
}

export interface OmemoPeerRecipient {
  jid: string
  deviceId: number
  prekey: boolean
}

export interface OmemoPeerSent {
  messageId: string
  /** Device ids a <key> was included for (the recipient's and our own other devices). */
  devices: number[]
  recipients: OmemoPeerRecipient[]
  /** Devices python-omemo could not encrypt for (bundle missing or invalid, key exchange failed). */
  skipped: { jid: string; deviceId: number; reason: string }[]
}

export interface OmemoPeerDevice {
  deviceId: number
  fingerprint: string
  trust: string
}

export interface OmemoPeerMamResult {
  /** OMEMO messages processed now (message or decrypt_error events with source 'mam'). */
  count: number
  /** OMEMO messages in the archive range queried, including ones processed before. */
  found: number
  /** Found but not processed again: already processed (live, offline, an earlier fetch) or sent by this device. */
  skipped: number
}

export interface OmemoPeer {
  readonly jid: string
  readonly deviceId: number
  /** Hex of the 32-byte Curve25519 identity public key. */
  readonly fingerprint: string
  readonly dataDir: string
  /** How many messages the startup MAM catch-up processed (null without mamCatchUp). */
  readonly mamCatchUpCount: number | null
  /** Every decrypted message so far, in arrival order. */
  readonly messages: readonly OmemoPeerMessage[]
  readonly decryptErrors: readonly OmemoPeerDecryptError[]
  send(to: string, body: string): Promise<OmemoPeerSent>
  keyTransport(to: string): Promise<OmemoPeerSent>
  devices(jid: string): Promise<OmemoPeerDevice[]>
  fetchMam(): Promise<OmemoPeerMamResult>
  trustAll(enabled?: boolean): Promise<void>
  /** The first message (already received or arriving within timeoutMs) that satisfies `predicate`. */
  nextMessage(predicate: (message: OmemoPeerMessage) => boolean, timeoutMs: number): Promise<OmemoPeerMessage>
  nextDecryptError(
    predicate: (error: OmemoPeerDecryptError) => boolean,
    timeoutMs: number,
  ): Promise<OmemoPeerDecryptError>
  /** `quit`, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>
  stderrTail(lineCount?: number): string
}

export async function startOmemoPeer(options: StartOmemoPeerOptions): Promise<OmemoPeer> {
  const scratchDir = await mkdtemp(join(tmpdir(), `omemo-peer-${options.username}-`))
  const caFile = join(scratchDir, 'ca.pem')
  await writeFile(caFile, options.server.caPem)
  const dataDir = options.dataDir ?? join(scratchDir, 'data')
  const jid = options.server.jid(options.username)
  const args = [
    PEER_SCRIPT,
    '--jid', jid,
    '--password', options.password,
    '--host', options.server.host,
    '--port', String(options.server.port),
    '--ca-file', caFile,
    '--data-dir', dataDir,
    ...(options.mamCatchUp ? ['--mam-catchup'] : []),
    ...(options.debug ? ['--debug'] : []),
  ]
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const peer = new PythonOmemoPeer(child, jid, dataDir, scratchDir)
  try {
    await peer.waitUntilReady(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
  } catch (error) {
    await peer.stop()
    throw error
  }
  return peer
}

type PeerEvent = Record<string, unknown> & { event: string }

interface PendingRequest {
  resolve(event: PeerEvent): void
  reject(error: Error): void
  timer: NodeJS.Timeout
}

interface Waiter<T> {
  predicate(item: T): boolean
  resolve(item: T): void
  reject(error: Error): void
}

class PythonOmemoPeer implements OmemoPeer {
  readonly jid: string
  readonly dataDir: string
  readonly messages: OmemoPeerMessage[] = []
  readonly decryptErrors: OmemoPeerDecryptError[] = []
  readonly #child: ChildProcess
  readonly #scratchDir: string
  readonly #exited: Promise<void>
  readonly #stderrLines: string[] = []
  readonly #pending = new Map<string, PendingRequest>()
  readonly #messageWaiters = new Set<Waiter<OmemoPeerMessage>>()
  readonly #errorWaiters = new Set<Waiter<OmemoPeerDecryptError>>()
  #ready: { resolve(event: PeerEvent): void; reject(error: Error): void } | undefined
  #readyEvent: PeerEvent | undefined
  #exitDescription: string | undefined
  #nextRequestId = 1
  #stopping: Promise<void> | undefined

  constructor(child: ChildProcess, jid: string, dataDir: string, scratchDir: string) {
    this.#child = child
    this.jid = jid
    this.dataDir = dataDir
    this.#scratchDir = scratchDir
    const guard = guardAgainstOrphan(child)
    child.stdin?.on('error', () => undefined) // EPIPE after a crash surfaces through 'exit'
    this.#exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        guard.release()
        this.#onExit(`exited (code ${code}, signal ${signal})`)
        resolveExit()
      })
      child.on('error', (error) => {
        if (child.pid !== undefined) return // a failed kill(); 'exit' follows or already happened
        guard.release()
        this.#onExit(`could not run ${PYTHON}: ${error.message}`)
        resolveExit()
      })
    })
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.#onStdoutLine(line))
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        this.#stderrLines.push(line)
        if (this.#stderrLines.length > STDERR_LINES_KEPT) this.#stderrLines.shift()
      })
    }
  }

  get deviceId(): number {
    return numberField(this.#requireReady(), 'device_id')
  }

  get fingerprint(): string {
    return stringField(this.#requireReady(), 'fingerprint')
  }

  get mamCatchUpCount(): number | null {
    const value = this.#requireReady()['mam_catchup_count']
    return typeof value === 'number' ? value : null
  }

  waitUntilReady(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolveReady, rejectReady) => {
      const timer = setTimeout(() => {
        this.#ready = undefined
        rejectReady(this.#failure(`did not get ready within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#ready = {
        resolve: (event) => {
          clearTimeout(timer)
          this.#readyEvent = event
          resolveReady()
        },
        reject: (error) => {
          clearTimeout(timer)
          rejectReady(error)
        },
      }
      if (this.#exitDescription !== undefined) this.#ready.reject(this.#failure(this.#exitDescription))
    })
  }

  async send(to: string, body: string): Promise<OmemoPeerSent> {
    return parseSent(await this.#request({ cmd: 'send', to, body }, 'sent'))
  }

  async keyTransport(to: string): Promise<OmemoPeerSent> {
    return parseSent(await this.#request({ cmd: 'key_transport', to }, 'sent'))
  }

  async devices(jid: string): Promise<OmemoPeerDevice[]> {
    const reply = await this.#request({ cmd: 'devices', jid }, 'devices')
    return arrayField(reply, 'devices').map((entry) => {
      const device = asRecord(entry, 'device')
      return {
        deviceId: numberField(device, 'device_id'),
        fingerprint: stringField(device, 'fingerprint'),
        trust: stringField(device, 'trust'),
      }
    })
  }

  async fetchMam(): Promise<OmemoPeerMamResult> {
    const reply = await this.#request({ cmd: 'fetch_mam' }, 'mam_done', 120_000)
    return {
      count: numberField(reply, 'count'),
      found: numberField(reply, 'found'),
      skipped: numberField(reply, 'skipped'),
    }
  }

  async trustAll(enabled = true): Promise<void> {
    await this.#request({ cmd: 'trust_all', enabled }, 'ok')
  }

  nextMessage(predicate: (message: OmemoPeerMessage) => boolean, timeoutMs: number): Promise<OmemoPeerMessage> {
    return this.#waitFor(this.messages, this.#messageWaiters, predicate, timeoutMs, 'message')
  }

  nextDecryptError(
    predicate: (error: OmemoPeerDecryptError) => boolean,
    timeoutMs: number,
  ): Promise<OmemoPeerDecryptError> {
    return this.#waitFor(this.decryptErrors, this.#errorWaiters, predicate, timeoutMs, 'decrypt_error')
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  stderrTail(lineCount = STDERR_TAIL_LINES): string {
    return this.#stderrLines.slice(-lineCount).join('\n')
  }

  async #stop(): Promise<void> {
    if (this.#exitDescription === undefined) {
      this.#child.stdin?.write(`${JSON.stringify({ cmd: 'quit' })}\n`)
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS)
      await this.#exited
      clearTimeout(timer)
    }
    await rm(this.#scratchDir, { recursive: true, force: true })
  }

  #requireReady(): PeerEvent {
    if (this.#readyEvent === undefined) throw new Error(`omemo peer ${this.jid} is not ready`)
    return this.#readyEvent
  }

  #request(command: Record<string, unknown>, replyEvent: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<PeerEvent> {
    if (this.#exitDescription !== undefined) return Promise.reject(this.#failure(this.#exitDescription))
    const id = `r${this.#nextRequestId++}`
    return new Promise<PeerEvent>((resolveRequest, rejectRequest) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        rejectRequest(this.#failure(`no reply to ${String(command['cmd'])} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, {
        timer,
        resolve: (event) => {
          if (event.event === replyEvent) resolveRequest(event)
          else rejectRequest(new Error(`omemo peer ${this.jid}: ${String(command['cmd'])} failed: ${describeReply(event)}`))
        },
        reject: rejectRequest,
      })
      this.#child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`)
    })
  }

  #waitFor<T>(
    received: readonly T[],
    waiters: Set<Waiter<T>>,
    predicate: (item: T) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const already = received.find(predicate)
    if (already !== undefined) return Promise.resolve(already)
    if (this.#exitDescription !== undefined) return Promise.reject(this.#failure(this.#exitDescription))
    return new Promise<T>((resolveWait, rejectWait) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        rejectWait(this.#failure(`no matching ${what} within ${timeoutMs} ms (${received.length} received)`))
      }, timeoutMs)
      const waiter: Waiter<T> = {
        predicate,
        resolve: (item) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          resolveWait(item)
        },
        reject: (error) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          rejectWait(error)
        },
      }
      waiters.add(waiter)
    })
  }

  #onStdoutLine(line: string): void {
    let event: PeerEvent
    try {
      const parsed: unknown = JSON.parse(line)
      const record = asRecord(parsed, 'event line')
      event = { ...record, event: stringField(record, 'event') }
    } catch {
      this.#stderrLines.push(`(unparsable stdout line) ${line}`)
      return
    }
    const id = event['id']
    if (typeof id === 'string' && this.#pending.has(id)) {
      const pending = this.#pending.get(id)
      this.#pending.delete(id)
      if (pending) {
        clearTimeout(pending.timer)
        pending.resolve(event)
      }
      return
    }
    switch (event.event) {
      case 'ready':
        this.#ready?.resolve(event)
        this.#ready = undefined
        break
      case 'fatal':
        this.#ready?.reject(this.#failure(`fatal: ${describeReply(event)}`))
        this.#ready = undefined
        break
      case 'message':
        this.#deliverParsed(line, () => this.#deliver(parseMessage(event), this.messages, this.#messageWaiters))
        break
      case 'decrypt_error':
        this.#deliverParsed(line, () => this.#deliver(parseDecryptError(event), this.decryptErrors, this.#errorWaiters))
        break
      default:
        this.#stderrLines.push(`(unexpected event) ${line}`)
    }
  }

  #deliverParsed(line: string, deliver: () => void): void {
    try {
      deliver()
    } catch (error) {
      this.#stderrLines.push(`(malformed event: ${error instanceof Error ? error.message : String(error)}) ${line}`)
    }
  }

  #deliver<T>(item: T, received: T[], waiters: Set<Waiter<T>>): void {
    received.push(item)
    for (const waiter of [...waiters]) {
      try {
        if (waiter.predicate(item)) waiter.resolve(item)
      } catch (error) {
        waiter.reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
  }

  #onExit(description: string): void {
    if (this.#exitDescription !== undefined) return
    this.#exitDescription = description
    const error = this.#failure(description)
    this.#ready?.reject(error)
    this.#ready = undefined
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(error)
    }
    this.#pending.clear()
    for (const waiter of [...this.#messageWaiters]) waiter.reject(error)
    for (const waiter of [...this.#errorWaiters]) waiter.reject(error)
  }

  #failure(what: string): Error {
    return new Error(`omemo peer ${this.jid}: ${what}\n--- peer stderr (tail) ---\n${this.stderrTail()}`)
  }
}

function parseSent(event: PeerEvent): OmemoPeerSent {
  return {
    messageId: stringField(event, 'message_id'),
    devices: arrayField(event, 'devices').map((value) => asNumber(value, 'devices[]')),
    recipients: arrayField(event, 'recipients').map((entry) => {
      const recipient = asRecord(entry, 'recipient')
      return {
        jid: stringField(recipient, 'jid'),
        deviceId: numberField(recipient, 'device_id'),
        prekey: recipient['prekey'] === true,
      }
    }),
    skipped: arrayField(event, 'skipped').map((entry) => {
      const skipped = asRecord(entry, 'skipped')
      return {
        jid: stringField(skipped, 'jid'),
        deviceId: numberField(skipped, 'device_id'),
        reason: stringField(skipped, 'reason'),
      }
    }),
  }
}

function parseMessage(event: PeerEvent): OmemoPeerMessage {
  const body = event['body']
  return {
    from: stringField(event, 'from'),
    senderDevice: numberField(event, 'sender_device'),
    body: typeof body === 'string' ? body : null,
    keyTransport: event['key_transport'] === true,
    source: parseSource(event['source']),
    messageId: optionalString(event['message_id']),
    stanzaId: optionalString(event['stanza_id']),
    delayed: event['delayed'] === true,
    prekey: event['prekey'] === true,
    keyMaterialLength: numberField(event, 'key_material_length'),
  }
}

function parseDecryptError(event: PeerEvent): OmemoPeerDecryptError {
  const senderDevice = event['sender_device']
  return {
    from: stringField(event, 'from'),
    senderDevice: typeof senderDevice === 'number' ? senderDevice : null,
    message: stringField(event, 'message'),
    notForUs: event['not_for_us'] === true,
    source: parseSource(event['source']),
    messageId: optionalString(event['message_id']),
  }
}

function parseSource(value: unknown): OmemoPeerSource {
  if (value === 'live' || value === 'carbon' || value === 'mam') return value
  throw new Error(`unexpected message source ${String(value)}`)
}

function describeReply(event: PeerEvent): string {
  const message = event['message']
  return typeof message === 'string' ? message : JSON.stringify(event)
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`)
  return value as Record<string, unknown>
}

function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new Error(`${what} is not a number`)
  return value
}

function numberField(record: Record<string, unknown>, key: string): number {
  return asNumber(record[key], key)
}

function stringField(record: Record<string, unknown>, key: string): string {
  const value = record[key]
  if (typeof value !== 'string') throw new Error(`${key} is not a string`)
  return value
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function arrayField(record: Record<string, unknown>, key: string): unknown[] {
  const value = record[key]
  if (!Array.isArray(value)) throw new Error(`${key} is not an array`)
  return value
}
