/**
 * Fault suite (issue 9): the server restarts 20 times while both sides keep sending OMEMO messages, some
 * while it goes down, some while it comes back, some while the clients are still reconnecting and catching up.
 * At the end each side shows every message of the other exactly once, decrypted, in the order it was sent,
 * and each side's own messages reached the server (acked or delivered), none left queued or failed.
 * A seeded PRNG (the seed is in the test name) chooses which moment of the reconnect each restart hits, and whether
 * the users wait for the reconnect backoff or press "Retry now". No message is exchanged before the first restart:
 * both sides start their OMEMO sessions at the same time, and their first messages cross.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto, MessageDto } from '../../preload/api.ts'
import { startAliceAndBob, stopAll, type TestCore } from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'
import { waitFor } from '../helpers/wait.ts'
import { mulberry32 } from '../helpers/seeded-random.ts'

const SEED = 0x9f17
const RESTARTS = 20
/** Bound for one reconnect: the backoff waits 0.5–1 s, then 1–2 s if the server was not back yet, and so on. */
const RECONNECT_TIMEOUT_MS = 20_000

interface Side {
  name: 'alice' | 'bob'
  test: TestCore
  account: AccountDto
  peer: string
  /** Bodies in the order this side sent them. */
  sent: string[]
}

let server: ProsodyServer
let alice: Side
let bob: Side

beforeAll(async () => {
  const started = await startAliceAndBob()
  server = started.server
  alice = { name: 'alice', test: started.alice, account: started.aliceAccount, peer: 'bob@localhost', sent: [] }
  bob = { name: 'bob', test: started.bob, account: started.bobAccount, peer: 'alice@localhost', sent: [] }
  // Opening the chat learns the contact's OMEMO devices, so what is written during an outage is queued encrypted.
  for (const side of [alice, bob]) {
    const conversation = await side.test.core.request('conversations:get', { accountId: side.account.id, peer: side.peer })
    expect(conversation.encryption.next).toBe('omemo')
  }
})

afterAll(() => stopAll(server, alice?.test, bob?.test))

/** Sends as the composer does; whatever the connection is doing, the message is accepted (queued at worst), never refused. */
async function send(side: Side, label: string): Promise<void> {
  const body = `${side.name} ${String(side.sent.length + 1).padStart(3, '0')} ${label}`
  side.sent.push(body)
  const message = await side.test.core.request('messages:send', { accountId: side.account.id, to: side.peer, body })
  expect(message, `${body} was accepted encrypted`).toMatchObject({ encryption: 'omemo' })
  expect(['queued', 'sent', 'acked'], `${body} state ${message.state} (${JSON.stringify(message.failure)})`).toContain(message.state)
}

const sendBoth = (label: string) => Promise.all([send(alice, label), send(bob, label)])

/**
 * Resolves once the account went down (any state but online) and then came back online and `ready` holds.
 * Subscribe before stopping the server: the drop is part of what is waited for, so an old "online" never counts.
 */
function downAndBack(side: Side, ready: (account: AccountDto) => boolean): Promise<AccountDto> {
  let wentDown = false
  return side.test.next(
    'accounts:changed',
    (account) => {
      if (account.id !== side.account.id) return false
      if (account.state !== 'online') {
        expect(account.state, `${side.name} must never end in a final error: ${JSON.stringify(account.error)}`).not.toBe('error')
        wentDown = true
        return false
      }
      return wentDown && ready(account)
    },
    RECONNECT_TIMEOUT_MS,
  )
}

/**
 * When the next restart comes: as soon as both are online again (in the middle of their roster, OMEMO announce,
 * outbox flush and archive catch-up), or once both finished catching up.
 */
type Moment = 'online' | 'synced'

interface Round {
  moment: Moment
  /** Both users press "Retry now" once the server is back, instead of waiting for the reconnect backoff. */
  retryNow: boolean
}

describe(`server restart ×${RESTARTS} while both sides send (seed ${SEED})`, () => {
  it('delivers every message exactly once, decrypted, in order, and each sender sees it reach the server', { timeout: 120_000 }, async () => {
    const random = mulberry32(SEED)
    const rounds: Round[] = Array.from({ length: RESTARTS }, (_, index) => ({
      // The last restart waits for the full catch-up.
      moment: index === RESTARTS - 1 || random() < 0.5 ? 'synced' : 'online',
      retryNow: random() < 0.5,
    }))
    for (const [index, { moment, retryNow }] of rounds.entries()) {
      const round = index + 1
      const stoppedAt = Date.now()
      const ready = (account: AccountDto) => moment === 'online' || (!account.syncing && (account.lastSyncedAt ?? 0) >= stoppedAt)
      const back = Promise.all([downAndBack(alice, ready), downAndBack(bob, ready)])
      back.catch(() => undefined) // awaited below; a failure before then must not be unhandled

      await sendBoth(`round ${round} before the restart`)
      const stopping = server.stop()
      await sendBoth(`round ${round} while the server stops`)
      await stopping
      const starting = server.start()
      await sendBoth(`round ${round} while the server starts`)
      await starting
      if (retryNow) {
        await Promise.all([alice, bob].map((side) => side.test.core.request('accounts:reconnect', { accountId: side.account.id })))
      }
      await back
    }
    // The seed does exercise both: restarts in the middle of a reconnect, and reconnects left to the backoff.
    expect(rounds.map((r) => r.moment)).toContain('online')
    expect(rounds.map((r) => r.retryNow)).toContain(false)

    // What each user sees once everything settled: every message of the other, and their own all reached the server.
    const history = (side: Side) => side.test.core.request('messages:list', { accountId: side.account.id, peer: side.peer, limit: 500 })
    const settled = async (side: Side, other: Side) => {
      const messages = await history(side)
      const own = messages.filter((m) => m.direction === 'out')
      const received = messages.filter((m) => m.direction === 'in')
      return own.length === side.sent.length && own.every((m) => m.state === 'acked' || m.state === 'delivered') && received.length >= other.sent.length
    }
    await waitFor(async () => (await settled(alice, bob)) && (await settled(bob, alice)), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'both sides to have every message, their own acknowledged by the server',
    }).catch(async (error: unknown) => {
      // Say what is missing rather than only that the wait timed out.
      for (const [side, other] of [[alice, bob], [bob, alice]] as const) assertSettled(side, other, await history(side))
      throw error
    })

    for (const [side, other] of [[alice, bob], [bob, alice]] as const) assertSettled(side, other, await history(side))
  })
})

function assertSettled(side: Side, other: Side, messages: MessageDto[]): void {
  const own = messages.filter((m) => m.direction === 'out')
  const received = messages.filter((m) => m.direction === 'in')
  expect.soft(own.map((m) => m.body), `${side.name}'s own messages, once each, in order`).toEqual(side.sent)
  expect.soft(
    own.filter((m) => m.state !== 'acked' && m.state !== 'delivered').map((m) => `${m.body}: ${m.state} ${JSON.stringify(m.failure)}`),
    `${side.name}'s messages that did not reach the server`,
  ).toEqual([])
  expect.soft(own.every((m) => m.encryption === 'omemo' && !m.fromOtherDevice)).toBe(true)
  expect.soft(
    received.filter((m) => m.undecryptable !== null).map((m) => `${m.undecryptable?.code}: ${m.undecryptable?.detail}`),
    `undecryptable entries at ${side.name}`,
  ).toEqual([])
  expect.soft(received.map((m) => m.body), `${other.name}'s messages at ${side.name}: each once, in the order sent`).toEqual(other.sent)
  expect.soft(received.every((m) => m.encryption === 'omemo' && m.sender !== null)).toBe(true)
}
