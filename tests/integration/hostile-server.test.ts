/**
 * Issue 10: malformed XML from whatever answers the connection (before TLS, no certificate needed) used to throw
 * inside the socket's data handler and kill the core, at every start. Now it ends that account's stream with the
 * RFC 6120 §4.9.3 condition, the account retries with backoff, and everything else keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { accountReaches, addOnlineAccount, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { startStreamRelay, type StreamRelay } from '../helpers/stream-relay.ts'
import { waitFor } from '../helpers/wait.ts'

let server: ProsodyServer
let relay: StreamRelay
let test: TestCore
let alice: AccountDto
let bob: AccountDto
const uncaught: unknown[] = []
const recordUncaught = (error: unknown) => uncaught.push(error)

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught)
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  relay = await startStreamRelay({ host: server.host, port: server.port })
  test = await startCore(server)
  // Alice's connections go through the relay; bob's go straight to the server.
  const online = test.next('accounts:changed', (a) => a.jid === 'alice@localhost' && a.state === 'online' && a.lastSyncedAt !== null)
  alice = await test.core.request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: '127.0.0.1', port: relay.port })
  await online
  bob = await addOnlineAccount(test, server, 'bob', 'bob-pw')
})

afterAll(async () => {
  process.off('uncaughtException', recordUncaught)
  await stopAll(server, test)
  await relay?.close()
})

const HOSTILE: [string, string, string][] = [
  ['an undefined entity', '<message><body>&bogus;</body></message>', 'not-well-formed|restricted-xml'],
  ['an illegal character reference', '<message><body>&#0;</body></message>', 'not-well-formed'],
  ['an entity in an attribute', "<message id='&bogus;'/>", 'restricted-xml'],
  ['two mismatched end tags', '<message><body></x></y>', 'not-well-formed'],
  ['data after the end of the stream', '</stream:stream><message/>&bogus;', ''],
  ['a DOCTYPE with an internal subset', "<!DOCTYPE x [<!ENTITY a 'b'>]>", 'restricted-xml'],
  ['a raw < in text', '<message><body>a < b</body></message>', 'not-well-formed'],
  ['a comment', '<!-- hello -->', 'restricted-xml'],
  ['invalid UTF-8', '\u0000', 'not-well-formed'],
]

describe('malformed XML from the server, before TLS', () => {
  for (const [what, bytes, condition] of HOSTILE) {
    it(`${what}: the stream ends${condition ? ` with ${condition}` : ''}, the account retries, the other account and the core go on`, async () => {
      const raw = what === 'invalid UTF-8' ? Buffer.from([0xc3, 0x28]) : Buffer.from(bytes, 'utf8')
      relay.mode = { kind: 'hostile', bytes: raw }
      const heardBefore = relay.heardInHostileMode.length
      const refused = accountReaches(test, alice.id, (a) => a.state === 'offline' && a.error !== null && relay.heardInHostileMode.length > heardBefore)
      relay.dropAll()
      const state = await refused
      if (condition) {
        expect(state.error?.code).toBe('protocol-violation')
        // What the core answered on the wire: the specific stream error, then the end of its stream.
        await waitFor(() => new RegExp(`<stream:error><(${condition}) xmlns=.urn:ietf:params:xml:ns:xmpp-streams.`, 'u').test(relay.heardInHostileMode.at(-1) ?? ''), {
          timeoutMs: 10_000,
          description: 'the stream error on the wire',
        })
      }
      // Another attempt follows by itself (backoff), and meets the same server.
      await waitFor(() => relay.heardInHostileMode.length >= heardBefore + 2, { timeoutMs: 15_000, description: 'a retry' })

      // The core answers and bob's account was never disturbed.
      const accounts = await test.core.request('accounts:list', {})
      expect(accounts.find((a) => a.id === bob.id)?.state).toBe('online')
      const body = `bob still works (${what})`
      const sent = test.next('messages:updated', (m) => m.body === body && (m.state === 'acked' || m.state === 'delivered'))
      await test.core.request('messages:send', { accountId: bob.id, to: 'alice@localhost', body })
      await sent

      // The server is sane again: Retry now brings alice back.
      relay.mode = { kind: 'pass' }
      const back = accountReaches(test, alice.id, (a) => a.state === 'online')
      await test.core.request('accounts:reconnect', { accountId: alice.id })
      await back
      expect(uncaught).toEqual([])
    })
  }
})
