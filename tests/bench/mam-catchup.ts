/**
 * 10k-message OMEMO archive catch-up against a real Prosody, through the real core (fast primitives).
 * Bob is offline while alice sends N encrypted messages; bob's phone (a bare client) is online, so the
 * server keeps nothing in offline storage and bob's app learns of them only from its archive. Then bob
 * logs in and the catch-up (fetch, decrypt, store) is timed until his account reports the sync done.
 * Meanwhile the event-loop delay is sampled and a contract call is made every 50 ms: their worst values
 * say whether the UI stayed responsive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startAliceAndBob, stopAll } from '../helpers/core-harness.ts'
import { connectRawClient } from '../helpers/raw-client.ts'
import { waitFor } from '../helpers/wait.ts'

export interface MamCatchupResult {
  messages: number
  seconds: number
  /** Worst event-loop delay during the catch-up (ms). */
  maxLoopDelayMs: number
  /** Worst latency of an `accounts:list` call made every 50 ms during the catch-up (ms). */
  maxCallLatencyMs: number
}

export async function measureMamCatchup(count: number): Promise<MamCatchupResult> {
  // Archives in SQLite, as on production servers (Prosody's internal files re-read the archive per page).
  const { server, alice, bob, aliceAccount, bobAccount } = await startAliceAndBob({ archiveStorage: 'sql' })
  try {
    const warm = bob.next('messages:received', (m) => m.body === 'warm-up')
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'warm-up' })
    await warm
    await bob.core.request('accounts:setEnabled', { accountId: bobAccount.id, enabled: false })
    const phone = await connectRawClient(server, 'bob', 'bob-pw')
    const lastAcked = alice.next('messages:updated', (m) => m.body === `bench ${count}` && m.state === 'acked', 600_000)
    for (let i = 1; i <= count; i++) {
      await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: `bench ${i}` })
    }
    await lastAcked
    await waitFor(() => phone.received.filter((stanza) => stanza.is('message')).length >= count, { timeoutMs: 600_000, description: 'the phone copies' })
    await phone.close()

    const loop = monitorEventLoopDelay({ resolution: 10 })
    let maxCallLatencyMs = 0
    let probing = true
    const probe = (async () => {
      while (probing) {
        const started = performance.now()
        await bob.core.request('accounts:list', {})
        maxCallLatencyMs = Math.max(maxCallLatencyMs, performance.now() - started)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()
    const previous = (await bob.core.request('accounts:list', {}))[0]!.lastSyncedAt ?? 0
    const synced = bob.next('accounts:changed', (a) => a.id === bobAccount.id && a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) > previous, 900_000)
    const started = performance.now()
    loop.enable()
    let seconds: number
    try {
      await bob.core.request('accounts:setEnabled', { accountId: bobAccount.id, enabled: true })
      await synced
      seconds = (performance.now() - started) / 1000
    } finally {
      loop.disable()
      probing = false
      await probe
    }

    const stored = await bob.core.request('messages:list', { accountId: bobAccount.id, peer: 'alice@localhost', limit: 2 })
    if (stored.at(-1)?.body !== `bench ${count}`) throw new Error(`the catch-up did not store the last message (got ${stored.at(-1)?.body})`)
    return { messages: count, seconds, maxLoopDelayMs: loop.max / 1e6, maxCallLatencyMs }
  } finally {
    await stopAll(server, alice, bob)
  }
}
