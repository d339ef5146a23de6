import { SessionRecord } from '@privacyresearch/libsignal-protocol-typescript/lib/session-record.js'
import { describe, expect, it } from 'vitest'
import { createParty, decryptFrom, encryptFor, startSession, type Party } from './crypto/test-support/parties.ts'
import { fixLibsignalChainPruning, fixLibsignalSessionTrials } from './libsignal-fixes.ts'

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

describe('libsignal tries each session of a record on a copy', () => {
  const text = (value: string) => new TextEncoder().encode(value)
  const read = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
  const sessionsOf = (party: Party, peer: Party) => SessionRecord.deserialize(party.store.sessions.get(peer.address.toString())!).sessions

  it('both sides start a session at once and their next messages cross: every message after that still decrypts', async () => {
    fixLibsignalSessionTrials()
    const alice = await createParty('alice@example.org', 1, { preKeyCount: 2 })
    const bob = await createParty('bob@example.org', 2, { preKeyCount: 2 })
    // Each sends a first message on a session built from the other's bundle, and reads the other's: two sessions each.
    await startSession(alice, bob)
    await startSession(bob, alice)
    const fromAlice = await encryptFor(alice, bob, text('a1'))
    const fromBob = await encryptFor(bob, alice, text('b1'))
    expect(read(await decryptFrom(alice, bob, fromBob))).toBe('b1')
    expect(read(await decryptFrom(bob, alice, fromAlice))).toBe('a1')
    // Each answers on its newest session, which is not the one the other side has open.
    const b2 = await encryptFor(bob, alice, text('b2'))
    const a2 = await encryptFor(alice, bob, text('a2'))
    const before = sessionsOf(bob, alice)
    expect(read(await decryptFrom(alice, bob, b2))).toBe('b2')
    expect(read(await decryptFrom(bob, alice, a2))).toBe('a2')
    // a2 was tried on bob's open session first, in vain: that session is as it was (only archived now).
    const after = sessionsOf(bob, alice)
    for (const [baseKey, session] of Object.entries(before)) {
      if (session.indexInfo.closed !== -1) continue
      expect({ ...after[baseKey]!, indexInfo: { ...after[baseKey]!.indexInfo, closed: -1 } }).toEqual(session)
    }
    // Without the fix the damaged sessions take over here: "Bad MAC" both ways, for good.
    for (let round = 3; round < 8; round++) {
      expect(read(await decryptFrom(bob, alice, await encryptFor(alice, bob, text(`a${round}`))))).toBe(`a${round}`)
      expect(read(await decryptFrom(alice, bob, await encryptFor(bob, alice, text(`b${round}`))))).toBe(`b${round}`)
    }
  })

  it('a message no session can read still fails as before, and the record stays as it was', async () => {
    fixLibsignalSessionTrials()
    const alice = await createParty('alice@example.org', 1)
    const bob = await createParty('bob@example.org', 2)
    await startSession(alice, bob)
    expect(read(await decryptFrom(bob, alice, await encryptFor(alice, bob, text('hello'))))).toBe('hello')
    const message = await encryptFor(alice, bob, text('tampered'))
    const bytes = Buffer.from(message.body!, 'binary')
    bytes[bytes.length - 1]! ^= 1 // the MAC
    const stored = bob.store.sessions.get(alice.address.toString())
    await expect(decryptFrom(bob, alice, { ...message, body: bytes.toString('binary') })).rejects.toThrow('Bad MAC')
    expect(bob.store.sessions.get(alice.address.toString())).toBe(stored)
    expect(read(await decryptFrom(bob, alice, await encryptFor(alice, bob, text('next'))))).toBe('next')
  })
})
