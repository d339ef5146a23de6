import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createParty, decryptFrom, encryptFor, startSession, type Party } from './test-support/parties.ts'
import { defaultPrimitives, fastPrimitives, runSide, type PrimitiveSet } from './test-support/primitive-sets.ts'
import { hex } from './test-support/property-options.ts'

/**
 * One device on the fast primitives, the other on the library's defaults, in one process: libsignal's
 * primitives are process-global, so each protocol step runs with its own side's set installed (runSide swaps
 * between steps, never during one; see primitive-sets.ts). Both directions of initiation are covered, with
 * several ratchet steps each way and out-of-order delivery. What is sent is OMEMO's key material: the 16-byte
 * AES-128-GCM key followed by the 16-byte tag (XEP-0384 §4.5).
 */
interface Device {
  party: Party
  primitives: PrimitiveSet
}

async function device(name: string, deviceId: number, primitives: PrimitiveSet): Promise<Device> {
  return { party: await runSide(primitives, () => createParty(name, deviceId, { preKeyCount: 5 })), primitives }
}

async function send(from: Device, to: Device): Promise<{ keyMaterial: Uint8Array; type: number; deliver: () => Promise<void> }> {
  const keyMaterial = new Uint8Array(randomBytes(32))
  const message = await runSide(from.primitives, () => encryptFor(from.party, to.party, keyMaterial))
  return {
    keyMaterial,
    type: message.type,
    deliver: async () => {
      const received = await runSide(to.primitives, () => decryptFrom(to.party, from.party, message))
      expect(hex(received)).toBe(hex(keyMaterial))
    },
  }
}

async function conversation(initiator: Device, responder: Device): Promise<void> {
  await runSide(initiator.primitives, () => startSession(initiator.party, responder.party, 3))

  // Until the responder answers, everything the initiator sends is a PreKeySignalMessage (prekey="true").
  const first = await send(initiator, responder)
  const second = await send(initiator, responder)
  expect([first.type, second.type]).toEqual([3, 3])
  await first.deliver()
  await second.deliver()

  // Replies: a new ratchet step on each side; deliver out of order (skipped message keys).
  const replies = [await send(responder, initiator), await send(responder, initiator), await send(responder, initiator)]
  expect(replies.map((reply) => reply.type)).toEqual([1, 1, 1])
  await replies[2]!.deliver()
  await replies[0]!.deliver()
  await replies[1]!.deliver()

  // Ping-pong: every turn is a DH ratchet step on both sides.
  for (let turn = 0; turn < 4; turn++) {
    const ping = await send(initiator, responder)
    expect(ping.type).toBe(1) // the initiator has heard back: no more prekey messages
    await ping.deliver()
    const pong = await send(responder, initiator)
    await pong.deliver()
  }

  // A burst in one direction with a late message from the previous chain.
  const late = await send(initiator, responder)
  const burst = [await send(initiator, responder), await send(initiator, responder)]
  for (const message of burst) await message.deliver()
  const answer = await send(responder, initiator)
  await answer.deliver()
  await late.deliver()
}

describe('sessions between fast and default primitives', () => {
  it('fast initiator (processes a bundle signed by the default) ↔ default responder', async () => {
    const defaults = defaultPrimitives()
    const fast = fastPrimitives()
    const alice = await device('alice@example.org', 1001, fast)
    const bob = await device('bob@example.org', 2002, defaults)
    const before = { fast: { ...fast.calls }, defaults: { ...defaults.calls } }
    await conversation(alice, bob)
    expect(fast.calls.curve).toBeGreaterThan(before.fast.curve)
    expect(defaults.calls.curve).toBeGreaterThan(before.defaults.curve)
    expect(fast.calls.subtle).toBeGreaterThan(before.fast.subtle)
    expect(defaults.calls.subtle).toBeGreaterThan(before.defaults.subtle)
  }, 60_000)

  it('default initiator (processes a bundle signed by the fast curve) ↔ fast responder', async () => {
    const defaults = defaultPrimitives()
    const fast = fastPrimitives()
    const alice = await device('alice@example.org', 1001, defaults)
    const bob = await device('bob@example.org', 2002, fast)
    await conversation(alice, bob)
  }, 60_000)

  it('a tampered SignalMessage (MAC or ciphertext byte) is refused on either primitive set', async () => {
    for (const [senderSet, receiverSet] of [[fastPrimitives(), defaultPrimitives()], [defaultPrimitives(), fastPrimitives()]] as const) {
      const alice = await device('alice@example.org', 1, senderSet)
      const bob = await device('bob@example.org', 2, receiverSet)
      await runSide(senderSet, () => startSession(alice.party, bob.party))
      await (await send(alice, bob)).deliver()
      await (await send(bob, alice)).deliver()
      const message = await runSide(senderSet, () => encryptFor(alice.party, bob.party, new Uint8Array(32).fill(1)))
      expect(message.type).toBe(1)
      const body = message.body!
      // A SignalMessage is version byte ‖ protobuf ‖ 8-byte truncated HMAC: flip the last MAC byte, then a middle byte.
      for (const position of [body.length - 1, Math.floor(body.length / 2)]) {
        const tampered = { ...message, body: body.slice(0, position) + String.fromCharCode(body.charCodeAt(position) ^ 1) + body.slice(position + 1) }
        await expect(runSide(receiverSet, () => decryptFrom(bob.party, alice.party, tampered))).rejects.toThrow()
      }
      const intact = await runSide(receiverSet, () => decryptFrom(bob.party, alice.party, message))
      expect(hex(intact)).toBe('01'.repeat(32))
    }
  }, 60_000)
})
