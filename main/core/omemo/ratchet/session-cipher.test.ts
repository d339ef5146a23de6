import { SessionCipher, type MessageType, type SignalProtocolAddress, type StorageType } from '@privacyresearch/libsignal-protocol-typescript'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createParty, startSession, type Party } from '../crypto/test-support/parties.ts'
import { fastPrimitives, runSide, type PrimitiveSet } from '../crypto/test-support/primitive-sets.ts'
import { hex, propertyOptions } from '../crypto/test-support/property-options.ts'
import { seededRandomFill } from '../crypto/test-support/seeded-random.ts'
import { fixLibsignalChainPruning } from '../libsignal-fixes.ts'
import { OmemoSessionCipher, type CipherPath } from './session-cipher.ts'

/**
 * Differential test: the same conversation script, with the same seeded randomness and a frozen clock, is run
 * once with libsignal's own SessionCipher on both devices and once with OmemoSessionCipher. Every wire message,
 * every plaintext or error, and every final session record must be byte-identical, while most steps take the
 * direct path. Scripts are random: sends both ways, out-of-order delivery, replays, tampered messages, and
 * sessions rebuilt from a bundle (old sessions, prekey messages, DH ratchet steps: the library's paths).
 */
type Side = 0 | 1
type Action =
  | { kind: 'send'; from: Side; plaintext: Uint8Array }
  | { kind: 'deliver'; to: Side; pick: number }
  | { kind: 'replay'; to: Side; pick: number }
  | { kind: 'tamper'; to: Side; pick: number; offset: number }
  | { kind: 'rebuild'; from: Side }

interface Cipher {
  encrypt(plaintext: ArrayBuffer): Promise<MessageType>
  decryptWhisperMessage(message: string, encoding: 'binary'): Promise<ArrayBuffer>
  decryptPreKeyWhisperMessage(message: string, encoding: 'binary'): Promise<ArrayBuffer>
}
type CipherFactory = (storage: StorageType, address: SignalProtocolAddress) => Cipher

const PREKEYS = 8
const side: fc.Arbitrary<Side> = fc.constantFrom(0 as const, 1 as const)
const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('send' as const), from: side, plaintext: fc.uint8Array({ minLength: 1, maxLength: 48 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('deliver' as const), to: side, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), to: side, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tamper' as const), to: side, pick: fc.nat(), offset: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebuild' as const), from: side }) },
)

interface InFlight {
  message: MessageType
  delivered: boolean
}

async function play(actions: Action[], makeCipher: CipherFactory): Promise<{ log: string[]; records: string[] }> {
  const primitives: PrimitiveSet = fastPrimitives(seededRandomFill('ratchet-differential'))
  const parties: Party[] = [
    await runSide(primitives, () => createParty('alice@example.org', 11, { preKeyCount: PREKEYS })),
    await runSide(primitives, () => createParty('bob@example.org', 22, { preKeyCount: PREKEYS })),
  ]
  const nextPreKey = [1, 1]
  const inFlight: InFlight[][] = [[], []] // by recipient
  const log: string[] = []
  const cipher = (at: Side) => makeCipher(parties[at]!.store, parties[1 - at]!.address)
  const outcome = async (label: string, step: () => Promise<string>) => {
    try {
      log.push(`${label} ${await runSide(primitives, step)}`)
    } catch (error) {
      log.push(`${label} error ${(error as Error).message}`)
    }
  }
  const receive = (to: Side, message: MessageType) => async () => {
    const decrypt = message.type === 3 ? 'decryptPreKeyWhisperMessage' : 'decryptWhisperMessage'
    return hex(await cipher(to)[decrypt](message.body!, 'binary'))
  }
  const rebuild = async (from: Side) => {
    const to = parties[1 - from]!
    const preKeyId = nextPreKey[1 - from]!++
    await outcome(`rebuild ${from}`, async () => (await startSession(parties[from]!, to, preKeyId <= PREKEYS ? preKeyId : undefined), 'ok'))
  }

  await rebuild(0)
  await rebuild(1)
  for (const action of actions) {
    if (action.kind === 'send') {
      const to = (1 - action.from) as Side
      await outcome(`send ${action.from}`, async () => {
        const message = await cipher(action.from).encrypt(Uint8Array.from(action.plaintext).buffer)
        inFlight[to]!.push({ message, delivered: false })
        return `type ${message.type} ${Buffer.from(message.body!, 'latin1').toString('hex')} registration ${message.registrationId}`
      })
    } else if (action.kind === 'rebuild') {
      await rebuild(action.from)
    } else {
      const candidates = inFlight[action.to]!.filter((entry) => entry.delivered === (action.kind === 'replay'))
      const entry = candidates[action.pick % Math.max(1, candidates.length)]
      if (!entry) continue
      if (action.kind === 'tamper') {
        const bytes = Buffer.from(entry.message.body!, 'latin1')
        bytes[action.offset % bytes.byteLength]! ^= 0x20
        await outcome(`tamper ${action.to}`, receive(action.to, { ...entry.message, body: bytes.toString('latin1') }))
      } else {
        entry.delivered = true
        await outcome(`${action.kind} ${action.to}`, receive(action.to, entry.message))
      }
    }
  }
  const records = parties.flatMap((party) => [...party.store.sessions].map(([address, record]) => `${party.name} ${address} ${record}`))
  return { log, records }
}

let paths: CipherPath[] = []
const library: CipherFactory = (storage, address) => new SessionCipher(storage, address)
const ours: CipherFactory = (storage, address) => new OmemoSessionCipher(storage, address, { onPath: (path) => paths.push(path) })

async function compare(actions: Action[]): Promise<CipherPath[]> {
  paths = []
  const reference = await play(actions, library)
  expect(paths).toEqual([])
  const candidate = await play(actions, ours)
  expect(candidate.log).toEqual(reference.log)
  expect(candidate.records).toEqual(reference.records)
  return paths
}

describe('OmemoSessionCipher is byte-identical to libsignal SessionCipher', () => {
  beforeAll(() => {
    fixLibsignalChainPruning() // as the core installs it
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-01T12:00:00Z')) // libsignal stamps ratchet steps with Date.now()
  })
  afterAll(() => {
    vi.useRealTimers()
  })

  it('on a scripted conversation, taking the direct path for established chains', async () => {
    const send = (from: Side, byte: number): Action => ({ kind: 'send', from, plaintext: new Uint8Array(32).fill(byte) })
    const deliver = (to: Side): Action => ({ kind: 'deliver', to, pick: 0 })
    const script: Action[] = [
      send(0, 1), send(0, 2), deliver(1), deliver(1), // prekey messages: the library builds bob's session
      send(1, 3), send(1, 4), send(1, 5), { kind: 'deliver', to: 0, pick: 2 }, deliver(0), deliver(0), // out of order
      send(0, 6), deliver(1), send(0, 7), send(0, 8), deliver(1), deliver(1), // same chain: direct
      send(0, 9), send(0, 10), send(0, 11), { kind: 'deliver', to: 1, pick: 1 }, deliver(1), deliver(1), // skipped key, then used
      { kind: 'replay', to: 1, pick: 0 }, { kind: 'tamper', to: 0, pick: 0, offset: 5 },
    ]
    const taken = await compare(script)
    expect(taken.filter((path) => path === 'direct').length).toBeGreaterThanOrEqual(6)
    expect(taken).toContain('library')
  }, 30_000)

  it('on random conversations (fast-check)', async () => {
    const taken: CipherPath[] = []
    await fc.assert(
      fc.asyncProperty(fc.array(actionArbitrary, { minLength: 10, maxLength: 60, size: 'max' }), async (actions) => {
        taken.push(...(await compare(actions)))
      }),
      propertyOptions(60),
    )
    // The property is only worth something if both paths ran, and the direct one often.
    expect(taken.filter((path) => path === 'direct').length).toBeGreaterThan(taken.length / 3)
    expect(taken).toContain('library')
  }, 120_000)
})
