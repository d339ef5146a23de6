import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createParty, decryptFrom, encryptFor, startSession, type Party } from './test-support/parties.ts'
import { defaultPrimitives, fastPrimitives, runSide, type PrimitiveSet } from './test-support/primitive-sets.ts'
import { hex } from './test-support/property-options.ts'
import { seededRandomFill } from './test-support/seeded-random.ts'

/**
 * The strongest check: the same scripted conversation, with the same seeded randomness and a frozen clock, run
 * four ways — all default, all fast, and each mixed assignment. Every key, signed-prekey signature, wire
 * message, plaintext and final session record must be byte-identical across the four runs. Any difference in
 * any primitive on any input the protocol reaches would show up here.
 */
type Mode = { alice: 'default' | 'fast'; bob: 'default' | 'fast' }

const binaryHex = (binary: string) => Buffer.from(binary, 'latin1').toString('hex')

function publicMaterial(party: Party) {
  const bundle = party.bundle(1)
  return {
    identityKey: hex(bundle.identityKey),
    signedPreKey: hex(bundle.signedPreKey.publicKey),
    signedPreKeySignature: hex(party.signedPreKeySignature),
    preKeys: [...party.store.preKeys].map(([id, pair]) => `${id}:${hex(pair.pubKey)}:${hex(pair.privKey)}`),
  }
}

async function transcript(mode: Mode): Promise<unknown> {
  const randomFill = seededRandomFill('omemo-transcript-v1')
  const make = (kind: 'default' | 'fast'): PrimitiveSet => (kind === 'fast' ? fastPrimitives(randomFill) : defaultPrimitives(randomFill))
  const sides = { alice: make(mode.alice), bob: make(mode.bob) }
  const alice = await runSide(sides.alice, () => createParty('alice@example.org', 11, { preKeyCount: 3 }))
  const bob = await runSide(sides.bob, () => createParty('bob@example.org', 22, { preKeyCount: 3 }))
  const log: string[] = []
  const parties = { alice, bob }

  async function exchange(from: 'alice' | 'bob', to: 'alice' | 'bob', label: string) {
    const plaintext = new Uint8Array(32).map((_, index) => (index * 7 + label.length) & 0xff)
    const message = await runSide(sides[from], () => encryptFor(parties[from], parties[to], plaintext))
    log.push(`${label} ${from}→${to} type=${message.type} ${binaryHex(message.body!)}`)
    return async () => {
      const received = await runSide(sides[to], () => decryptFrom(parties[to], parties[from], message))
      log.push(`${label} received ${hex(received)}`)
    }
  }

  await runSide(sides.alice, () => startSession(alice, bob, 2))
  const m1 = await exchange('alice', 'bob', 'm1')
  const m2 = await exchange('alice', 'bob', 'm2')
  await m1()
  await m2()
  const r1 = await exchange('bob', 'alice', 'r1')
  const r2 = await exchange('bob', 'alice', 'r2')
  await r2()
  await r1()
  for (let turn = 0; turn < 3; turn++) {
    await (await exchange('alice', 'bob', `ping${turn}`))()
    await (await exchange('bob', 'alice', `pong${turn}`))()
  }
  const late = await exchange('alice', 'bob', 'late')
  await (await exchange('alice', 'bob', 'm9'))()
  await (await exchange('bob', 'alice', 'r9'))()
  await late()

  return {
    alice: publicMaterial(alice),
    bob: publicMaterial(bob),
    log,
    sessions: { alice: [...alice.store.sessions], bob: [...bob.store.sessions] },
  }
}

describe('a seeded conversation is byte-identical on every primitive assignment', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-23T12:00:00Z')) // libsignal stamps records with Date.now()
  })
  afterAll(() => {
    vi.useRealTimers()
  })

  it('default/default = fast/fast = fast/default = default/fast', async () => {
    const reference = await transcript({ alice: 'default', bob: 'default' })
    expect((reference as { log: string[] }).log.length).toBe(2 * 13) // 13 messages, each sent and received
    for (const mode of [
      { alice: 'fast', bob: 'fast' },
      { alice: 'fast', bob: 'default' },
      { alice: 'default', bob: 'fast' },
    ] as const) {
      expect(await transcript(mode), JSON.stringify(mode)).toEqual(reference)
    }
  }, 60_000)
})
