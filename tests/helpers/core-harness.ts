/**
 * Real cores for integration tests: each with its own encrypted database in a temp dir, trusting the
 * throwaway Prosody's CA explicitly (verification stays on).
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AccountDto, EventEnvelope, EventName, EventPayloads, MessageDto } from '../../preload/api.ts'
import { createCore, createFixedKeyProvider, type Core } from '../../main/core/index.ts'
import { startProsody, type ProsodyServer } from './prosody.ts'
import { nextEvent } from './wait.ts'

export const EVENT_TIMEOUT_MS = 20_000

export interface TestCore {
  core: Core
  dataDir: string
  key: Buffer
  /** Every event this core emitted, in order. */
  seen: EventEnvelope[]
  /** Close the core; with `keepData`, the data dir stays for a reopen. */
  close(options?: { keepData?: boolean }): Promise<void>
  /** The first future event of this name whose payload matches. Subscribe before acting. */
  next<E extends EventName>(event: E, match?: (payload: EventPayloads[E]) => boolean, timeoutMs?: number): Promise<EventPayloads[E]>
}

export async function startCore(server: ProsodyServer | null, reuse?: { dataDir: string; key: Buffer }): Promise<TestCore> {
  const dataDir = reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'core-test-')))
  const key = reuse?.key ?? randomBytes(32)
  const core = await createCore({
    dataDir,
    keyProvider: createFixedKeyProvider(key),
    extraCaCertificates: server ? [server.caPem] : [],
  })
  const seen: EventEnvelope[] = []
  core.subscribe((envelope) => seen.push(envelope))
  return {
    core,
    dataDir,
    key,
    seen,
    async close(options) {
      await core.close()
      if (!options?.keepData) await rm(dataDir, { recursive: true, force: true })
    },
    async next(event, match = () => true, timeoutMs = EVENT_TIMEOUT_MS) {
      const envelope = await nextEvent(
        (listener) => core.subscribe(listener),
        (candidate) => candidate.event === event && match(candidate.payload as never),
        timeoutMs,
      )
      return envelope.payload as never
    },
  }
}

/** Adds an account pointing at the test server and waits until it is online and its first sync is done. */
export async function addOnlineAccount(test: TestCore, server: ProsodyServer, username: string, password: string): Promise<AccountDto> {
  const synced = test.next('accounts:changed', (a) => a.jid === server.jid(username) && a.state === 'online' && a.lastSyncedAt !== null)
  const account = await test.core.request('accounts:add', { jid: server.jid(username), password, host: server.host, port: server.port })
  await synced
  return account
}

/** Waits for an account of this core to reach a state (and optionally finish a new sync). */
export function accountReaches(test: TestCore, accountId: number, match: (account: AccountDto) => boolean): Promise<AccountDto> {
  return test.next('accounts:changed', (a) => a.id === accountId && match(a))
}

export function messageArrives(test: TestCore, match: (message: MessageDto) => boolean): Promise<MessageDto> {
  return test.next('messages:received', match)
}

export interface AliceAndBob {
  server: ProsodyServer
  alice: TestCore
  bob: TestCore
  aliceAccount: AccountDto
  bobAccount: AccountDto
}

/** A throwaway server with alice and bob, each in a core of their own, online and synced. */
export async function startAliceAndBob(options: { archiveStorage?: 'internal' | 'sql' } = {}): Promise<AliceAndBob> {
  const server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }], ...options })
  const [alice, bob] = await Promise.all([startCore(server), startCore(server)])
  const [aliceAccount, bobAccount] = await Promise.all([
    addOnlineAccount(alice, server, 'alice', 'alice-pw'),
    addOnlineAccount(bob, server, 'bob', 'bob-pw'),
  ])
  return { server, alice, bob, aliceAccount, bobAccount }
}

/**
 * Makes two accounts contacts who share presence (RFC 6121 §3: `asker` adds, `answerer` accepts), so their
 * PEP changes, such as OMEMO device lists, are pushed to each other (XEP-0163 +notify).
 */
export async function sharePresence(asker: TestCore, askerAccount: AccountDto, answerer: TestCore, answererAccount: AccountDto): Promise<void> {
  const approved = asker.next('roster:changed', (c) => c.jid === answererAccount.jid && c.subscription === 'both')
  const asked = answerer.next('roster:changed', (c) => c.jid === askerAccount.jid && c.pendingIn)
  await asker.core.request('roster:add', { accountId: askerAccount.id, jid: answererAccount.jid })
  await asked
  await answerer.core.request('roster:respond', { accountId: answererAccount.id, jid: askerAccount.jid, accept: true })
  await approved
}

/** Prosody's words when a client's XEP-0198 <a/> counts more stanzas than it sent (it then closes the stream). */
export const OVERCOUNTED_ACK_WARNING = 'The client says it handled'

/**
 * Closes the cores (removing their data) and then the server; tolerates parts that never started. Fails if the
 * server saw a wrong stream-management count from any core during the file: the core reconnects after such a
 * close, so the tests themselves would not notice.
 */
export async function stopAll(server: ProsodyServer | undefined, ...cores: (TestCore | undefined)[]): Promise<void> {
  await Promise.all(cores.map((core) => core?.close()))
  const log = server ? await readFile(server.logFile, 'utf8').catch(() => '') : ''
  await server?.dispose()
  if (log.includes(OVERCOUNTED_ACK_WARNING)) throw new Error('A core acknowledged more stanzas than the server sent (XEP-0198); see the Prosody log')
}
