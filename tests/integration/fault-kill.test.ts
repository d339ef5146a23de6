/**
 * Fault suite (issue 9): bob's app is killed with SIGKILL at 20 points chosen by a seeded PRNG (the seed is in
 * the test name), 10 while it receives (catching up from the archive, or live) and 10 while it sends. Bob runs in
 * a child process (tests/helpers/core-child.ts) on one data dir; alice stays up in this process. After each kill
 * bob's app is opened again on the same data and, once it has reconnected and caught up, what the two users see
 * is checked:
 *
 * - receiving: every message bob's app had shown is still there, shown once, decrypted; and every message alice
 *   sent is there exactly once, decrypted, in the order she sent it (the rest came from the archive);
 * - sending, as Signal Desktop behaves: a message bob's app had shown (it was stored) is delivered to alice exactly
 *   once, decrypted, in order, and ends acknowledged by the server on bob's side, sent again after the restart if
 *   need be. A message the kill interrupted before it was stored may be missing, but then on both sides: alice
 *   never gets a message that bob's history does not have, and bob's history never has one alice did not get.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, MessageDto } from '../../preload/api.ts'
import { startAliceAndBob, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { guardAgainstOrphan } from '../helpers/orphan-guard.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'
import { waitFor } from '../helpers/wait.ts'
import { mulberry32 } from '../helpers/seeded-random.ts'

const SEED = 0x6b11
const RECEIVE_POINTS = 10
const SEND_POINTS = 10
const STEP_TIMEOUT_MS = 20_000

// ---- bob's app in a child process ---------------------------------------------------------------

interface Line {
  event: string
  payload: unknown
}

/** bob's core in a child process: every event it emits as a line, contract calls through stdin, kill -9. */
class ChildApp {
  readonly lines: Line[] = []
  readonly exited: Promise<void>
  readonly #child: ChildProcess
  readonly #listeners = new Set<(line: Line) => void>()
  #stderr = ''
  #nextId = 1

  constructor(env: Record<string, string>) {
    this.#child = spawn(process.execPath, ['tests/helpers/core-child.ts'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    const guard = guardAgainstOrphan(this.#child)
    this.#child.stdin!.on('error', () => undefined) // writes after the kill
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4000)))
    const stdoutClosed = new Promise<void>((resolve) => {
      createInterface({ input: this.#child.stdout! })
        .on('line', (text) => {
          const line = JSON.parse(text) as Line
          this.lines.push(line)
          for (const listener of this.#listeners) listener(line)
        })
        .on('close', resolve)
    })
    const processExited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
    this.exited = Promise.all([stdoutClosed, processExited]).then(() => guard.release())
  }

  get stderr(): string {
    return this.#stderr
  }

  /** Calls `listener` for every future line; returns the unsubscribe. */
  onLine(listener: (line: Line) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The first line (already printed or future) for which `match` holds. */
  until(match: (line: Line) => boolean, description: string): Promise<Line> {
    const seen = this.lines.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop()
        reject(new Error(`bob's child app: no ${description} within ${STEP_TIMEOUT_MS} ms; stderr:\n${this.#stderr}`))
      }, STEP_TIMEOUT_MS)
      const stop = this.onLine((line) => {
        if (!match(line)) return
        clearTimeout(timer)
        stop()
        resolve(line)
      })
      void this.exited.then(() => {
        clearTimeout(timer)
        stop()
        reject(new Error(`bob's child app exited before ${description}; stderr:\n${this.#stderr}`))
      })
    })
  }

  /** Starts a contract call in the child (like a click in the UI); its answer is a `child:result` line. */
  call(method: string, params: unknown): number {
    const id = this.#nextId
    this.#nextId += 1
    this.#child.stdin!.write(`${JSON.stringify({ id, method, params })}\n`)
    return id
  }

  /** kill -9, right now (synchronously: the lines it printed before are still read). */
  kill(): void {
    this.#child.kill('SIGKILL')
  }
}

const isAccount = (line: Line): line is { event: 'accounts:changed'; payload: AccountDto } => line.event === 'accounts:changed'
const isMessage = (line: Line): line is { event: 'messages:received' | 'messages:updated'; payload: MessageDto } =>
  line.event === 'messages:received' || line.event === 'messages:updated'
const isSynced = (since: number) => (account: AccountDto) =>
  account.state === 'online' && !account.syncing && account.lastSyncedAt !== null && account.lastSyncedAt >= since

// ---- the kill points ----------------------------------------------------------------------------

/**
 * Where the kill comes, counted from the start of the point: after the n-th line of any kind the app printed (any
 * moment: logging in, decrypting, storing, sending, acknowledging), or after the n-th message it showed.
 * If the work of the point is complete first, the kill comes then.
 */
type Trigger = { after: 'lines' | 'messages'; count: number }

type KillPoint =
  | { role: 'receive'; from: 'archive' | 'live'; messages: number; trigger: Trigger }
  | { role: 'send'; messages: number; trigger: Trigger }

function killPoints(random: () => number): KillPoint[] {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const roles = [...Array<'receive'>(RECEIVE_POINTS).fill('receive'), ...Array<'send'>(SEND_POINTS).fill('send')]
  for (let i = roles.length - 1; i > 0; i -= 1) {
    const j = int(0, i)
    ;[roles[i], roles[j]] = [roles[j]!, roles[i]!]
  }
  return roles.map((role): KillPoint => {
    if (role === 'receive') {
      const messages = int(4, 10)
      const from = random() < 0.5 ? 'archive' : 'live'
      // About the lines the point prints: logging in, then one per message (archive); two per message (live).
      const lines = from === 'archive' ? messages + 8 : messages * 2
      const trigger: Trigger = random() < 0.5 ? { after: 'messages', count: int(1, messages - 1) } : { after: 'lines', count: int(1, lines) }
      return { role, from, messages, trigger }
    }
    const messages = int(3, 8)
    // 0 lines: the kill comes right after the commands were written, before the app said anything.
    return { role, messages, trigger: { after: 'lines', count: int(0, messages * 6) } }
  })
}

// ---- the test -----------------------------------------------------------------------------------

let server: ProsodyServer
let alice: TestCore
let aliceAccount: AccountDto
let bobAccount: AccountDto
/** bob's app in this process: between two kill points (checking), and after the last one. */
let bob: TestCore | undefined
let bobData: { dataDir: string; key: Buffer }
let childEnv: Record<string, string>
let running: ChildApp | undefined

beforeAll(async () => {
  const started = await startAliceAndBob()
  ;({ server, alice, aliceAccount, bobAccount } = started)
  bob = started.bob
  bobData = { dataDir: bob.dataDir, key: bob.key }
  // A session each way, and each chat known to be encrypted, before the faults begin.
  for (const [from, account, to, peer, body] of [
    [alice, aliceAccount, bob, 'bob@localhost', 'warm-up from alice'],
    [bob, bobAccount, alice, 'alice@localhost', 'warm-up from bob'],
  ] as const) {
    const arrives = to.next('messages:received', (m) => m.body === body)
    expect(await from.core.request('messages:send', { accountId: account.id, to: peer, body })).toMatchObject({ encryption: 'omemo' })
    await arrives
  }
  await bob.close({ keepData: true })
  bob = undefined
  const caFile = join(bobData.dataDir, 'test-ca.pem')
  await writeFile(caFile, server.caPem)
  childEnv = { CORE_DATA_DIR: bobData.dataDir, CORE_KEY_HEX: bobData.key.toString('hex'), CORE_CA_FILE: caFile }
})

afterAll(async () => {
  running?.kill()
  await running?.exited
  await stopAll(server, alice, bob)
  await rm(bobData.dataDir, { recursive: true, force: true })
})

const history = (test: TestCore, accountId: number, peer: string) => test.core.request('messages:list', { accountId, peer, limit: 500 })

/** Bodies in the order each side sent them (bob's: every body he typed, stored or not). */
const aliceSent: string[] = ['warm-up from alice']
const bobTyped: string[] = ['warm-up from bob']

/**
 * Arms the point's kill on the child's lines; resolves once the child is gone (killed at the trigger, or once the
 * point's work is `done`). Rejects if neither came in time (the child is killed then too).
 */
async function armKill(app: ChildApp, trigger: Trigger, batch: Set<string>, done: (line: Line) => boolean): Promise<void> {
  let lines = 0
  let messages = 0
  let timedOut = false
  const kill = () => {
    stop()
    clearTimeout(timer)
    app.kill()
  }
  const check = (line: Line | null) => {
    if (line) {
      lines += 1
      if (line.event === 'messages:received' && batch.has((line.payload as MessageDto).body)) messages += 1
    }
    const due = trigger.after === 'lines' ? lines >= trigger.count : messages >= trigger.count
    if (due || (line && done(line))) kill()
  }
  const timer = setTimeout(() => {
    timedOut = true
    kill()
  }, STEP_TIMEOUT_MS)
  const stop = app.onLine(check)
  check(null) // a count of 0: at once
  await app.exited
  if (timedOut) throw new Error(`bob's child app neither reached its kill point nor finished within ${STEP_TIMEOUT_MS} ms; stderr:\n${app.stderr}`)
}

/** Opens bob's app again on the same data, in this process, and waits until it has reconnected and caught up. */
async function reopenBob(): Promise<TestCore> {
  const since = Date.now()
  const reopened = await startCore(server, bobData)
  const synced = async () => (await reopened.core.request('accounts:list', {})).some((a) => a.id === bobAccount.id && isSynced(since)(a))
  await waitFor(synced, { timeoutMs: STEP_TIMEOUT_MS, description: 'bob, reopened after the kill, to be online and caught up' })
  return reopened
}

async function receivePoint(index: number, point: Extract<KillPoint, { role: 'receive' }>): Promise<{ interrupted: boolean }> {
  const bodies = Array.from({ length: point.messages }, (_, j) => `to bob ${index + 1}.${j + 1} (${point.from})`)
  const batch = new Set(bodies)
  const sendAll = async () => {
    for (const body of bodies) {
      aliceSent.push(body)
      expect(await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body })).toMatchObject({ encryption: 'omemo' })
    }
  }
  let received = 0
  const allReceived = (line: Line) =>
    isMessage(line) && line.event === 'messages:received' && batch.has(line.payload.body) && ++received === bodies.length

  let app: ChildApp
  if (point.from === 'archive') {
    // Written while bob's app is closed: it meets them in its catch-up, and is killed somewhere in there.
    await sendAll()
    await aliceAcked(bodies)
    app = running = new ChildApp(childEnv)
    await armKill(app, point.trigger, batch, allReceived)
  } else {
    app = running = new ChildApp(childEnv)
    const since = Date.now()
    await app.until((line) => isAccount(line) && line.payload.id === bobAccount.id && isSynced(since)(line.payload), 'online and caught up')
    const killed = armKill(app, point.trigger, batch, allReceived)
    await sendAll() // alice goes on writing after the kill
    await killed
    await aliceAcked(bodies)
  }
  running = undefined

  // What bob's app had shown before it died.
  const shown = app.lines.filter(isMessage).filter((line) => line.event === 'messages:received' && batch.has(line.payload.body))
  const shownBodies = shown.map((line) => line.payload.body)
  expect(new Set(shownBodies).size, 'the app showed no message twice').toBe(shownBodies.length)
  expect(shown.every((line) => line.payload.encryption === 'omemo' && line.payload.undecryptable === null), 'what the app showed was decrypted').toBe(true)

  bob = await reopenBob()
  const messages = await history(bob, bobAccount.id, 'alice@localhost')
  const incoming = messages.filter((m) => m.direction === 'in')
  expect(undecryptable(incoming), 'undecryptable at bob').toEqual([])
  // Nothing shown is lost, nothing is there twice, nothing alice sent is missing, and all in the order she sent it.
  expect(incoming.map((m) => m.body), 'alice’s messages at bob').toEqual(aliceSent)
  expect(incoming.every((m) => m.encryption === 'omemo' && m.sender !== null)).toBe(true)
  const aliceOwn = (await history(alice, aliceAccount.id, 'bob@localhost')).filter((m) => m.direction === 'out')
  expect(notAtServer(aliceOwn), 'alice’s messages that did not stay acknowledged').toEqual([])
  await bob.close({ keepData: true })
  bob = undefined
  return { interrupted: shown.length < bodies.length }
}

async function sendPoint(index: number, point: Extract<KillPoint, { role: 'send' }>): Promise<{ interrupted: boolean }> {
  const bodies = Array.from({ length: point.messages }, (_, j) => `from bob ${index + 1}.${j + 1}`)
  const batch = new Set(bodies)
  const app = (running = new ChildApp(childEnv))
  const since = Date.now()
  await app.until((line) => isAccount(line) && line.payload.id === bobAccount.id && isSynced(since)(line.payload), 'online and caught up')

  const acked = new Set<string>()
  const allAcked = (line: Line) => {
    if (isMessage(line) && batch.has(line.payload.body) && (line.payload.state === 'acked' || line.payload.state === 'delivered')) acked.add(line.payload.body)
    return acked.size === bodies.length
  }
  // Typed fast: every Enter goes out without waiting for the previous message.
  for (const body of bodies) {
    bobTyped.push(body)
    app.call('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body })
  }
  await armKill(app, point.trigger, batch, allAcked)
  running = undefined
  // What bob's app had shown: the messages it stored (the UI lists them at once); and no send it answered failed.
  const shownBodies = new Set(
    app.lines
      .filter(isMessage)
      .map((line) => line.payload)
      .filter((message) => message.direction === 'out' && batch.has(message.body))
      .map((message) => message.body),
  )
  const answers = app.lines.filter((line) => line.event === 'child:result').map((line) => (line.payload as { result: { ok: boolean } }).result)
  expect(answers.filter((answer) => !answer.ok), 'sends the app refused').toEqual([])

  bob = await reopenBob()
  const reopened = bob
  const own = async () => (await history(reopened, bobAccount.id, 'alice@localhost')).filter((m) => m.direction === 'out')
  const atAlice = async () => (await history(alice, aliceAccount.id, 'bob@localhost')).filter((m) => m.direction === 'in')
  // The reopened app sends what the kill left unsent (or unacknowledged); wait until alice has all of it.
  await waitFor(
    async () => {
      const [mine, theirs] = await Promise.all([own(), atAlice()])
      return mine.every((m) => m.state === 'acked' || m.state === 'delivered') && theirs.length >= mine.length
    },
    { timeoutMs: STEP_TIMEOUT_MS, description: 'every message bob stored to be acknowledged and at alice' },
  ).catch(() => undefined) // the assertions below say what is wrong

  const [mine, theirs] = await Promise.all([own(), atAlice()])
  const stored = mine.map((m) => m.body)
  expect(new Set(stored).size, 'bob’s history has no message twice').toBe(stored.length)
  expect(stored.filter((body) => !bobTyped.includes(body)), 'bob’s history has only what he typed').toEqual([])
  // In the order typed: the stored ones are a subsequence of the typed ones.
  expect(stored, 'bob’s history is in the order he typed').toEqual(bobTyped.filter((body) => stored.includes(body)))
  expect([...shownBodies].filter((body) => !stored.includes(body)), 'messages bob’s app had shown and lost').toEqual([])
  expect(notAtServer(mine), 'bob’s messages that did not reach the server').toEqual([])
  expect(mine.every((m) => m.encryption === 'omemo')).toBe(true)
  // Alice has exactly what bob's history has: each once, decrypted, in order; nothing bob does not know he sent.
  expect(undecryptable(theirs), 'undecryptable at alice').toEqual([])
  expect(theirs.map((m) => m.body), 'bob’s messages at alice').toEqual(stored)
  expect(theirs.every((m) => m.encryption === 'omemo' && m.sender !== null)).toBe(true)

  await bob.close({ keepData: true })
  bob = undefined
  return { interrupted: bodies.some((body) => !acked.has(body)) }
}

const notAtServer = (messages: MessageDto[]) =>
  messages.filter((m) => m.state !== 'acked' && m.state !== 'delivered').map((m) => `${m.body}: ${m.state} ${JSON.stringify(m.failure)}`)
const undecryptable = (messages: MessageDto[]) =>
  messages.filter((m) => m.undecryptable !== null).map((m) => `${m.undecryptable?.code}: ${m.undecryptable?.detail}`)

/** Every one of these bodies that alice wrote reached the server (so it is in bob's archive). */
async function aliceAcked(bodies: string[]): Promise<void> {
  await waitFor(
    async () => {
      const mine = (await history(alice, aliceAccount.id, 'bob@localhost')).filter((m) => bodies.includes(m.body))
      return mine.length === bodies.length && mine.every((m) => m.state === 'acked' || m.state === 'delivered')
    },
    { timeoutMs: STEP_TIMEOUT_MS, description: 'alice’s messages to be acknowledged by the server' },
  )
}

describe(`kill -9 of bob's app at ${RECEIVE_POINTS + SEND_POINTS} seeded points of receiving and sending (seed ${SEED})`, () => {
  it('after each restart nothing shown is lost, nothing is there twice, and what was accepted is delivered once, decrypted', { timeout: 120_000 }, async () => {
    const points = killPoints(mulberry32(SEED))
    const interrupted = { receive: 0, send: 0 }
    for (const [index, point] of points.entries()) {
      try {
        const outcome = point.role === 'receive' ? await receivePoint(index, point) : await sendPoint(index, point)
        if (outcome.interrupted) interrupted[point.role] += 1
      } catch (error) {
        // Name the point (the assertion's own diff stays as it is).
        if (error instanceof Error) error.message = `kill point ${index + 1} ${JSON.stringify(point)}: ${error.message}`
        throw error
      }
    }
    // The seed does kill in the middle of the work, in both roles, not only after it was done.
    expect(interrupted.receive).toBeGreaterThan(0)
    expect(interrupted.send).toBeGreaterThan(0)
    bob = await reopenBob() // closed with its data by afterAll
  })
})
