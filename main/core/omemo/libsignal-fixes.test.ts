import { SessionRecord } from '@privacyresearch/libsignal-protocol-typescript/lib/session-record.js'
import { describe, expect, it } from 'vitest'
import { createParty, decryptFrom, encryptFor, startSession } from './crypto/test-support/parties.ts'
import { fixLibsignalChainPruning } from './libsignal-fixes.ts'

async function chainsAfterPingPong(rounds: number): Promise<number> {
  const alice = await createParty('alice@example.org', 1)
  const bob = await createParty('bob@example.org', 2)
  await startSession(alice, bob)
  for (let round = 0; round < rounds; round++) {
    const toBob = await encryptFor(alice, bob, new TextEncoder().encode(`ping ${round}`))
    expect(new TextDecoder().decode(await decryptFrom(bob, alice, toBob))).toBe(`ping ${round}`)
    const toAlice = await encryptFor(bob, alice, new TextEncoder().encode(`pong ${round}`))
    expect(new TextDecoder().decode(await decryptFrom(alice, bob, toAlice))).toBe(`pong ${round}`)
  }
  const record = SessionRecord.deserialize(bob.store.sessions.get(alice.address.toString())!)
  return Object.keys(record.getOpenSession()!.chains).length
}

describe('libsignal chain pruning', () => {
  it('keeps at most the ten previous receiving chains (plus the current ones) over a long conversation', async () => {
    fixLibsignalChainPruning()
    // Each round trip is a DH ratchet step on both sides: without the fix the chains grow by one per round.
    expect(await chainsAfterPingPong(30)).toBeLessThanOrEqual(12)
  })
})
