import * as Internal from '@privacyresearch/libsignal-protocol-typescript/lib/internal/crypto.js'
import { describe, expect, it } from 'vitest'
import { fastCurve, fastWebCrypto, installFastPrimitives } from './index.ts'
import { createParty, decryptFrom, encryptFor, startSession } from './test-support/parties.ts'
import { installDefaultPrimitives } from './test-support/primitive-sets.ts'
import { hex } from './test-support/property-options.ts'

/** libsignal 0.0.16 keeps them in private fields of its process-wide Internal.crypto object. */
function installed(): { webcrypto: unknown; curve: unknown } {
  const crypto = Internal.crypto as unknown as { _webcrypto: unknown; _curve: { _curve25519: unknown } }
  return { webcrypto: crypto._webcrypto, curve: crypto._curve._curve25519 }
}

describe('installFastPrimitives', () => {
  it('points libsignal at fastWebCrypto and fastCurve, idempotently', () => {
    installDefaultPrimitives()
    expect(installed().webcrypto).toBe(globalThis.crypto)
    expect(installed().curve).not.toBe(fastCurve)
    installFastPrimitives()
    installFastPrimitives()
    expect(installed()).toEqual({ webcrypto: fastWebCrypto, curve: fastCurve })
  })

  it('a session works end to end on the installed primitives', async () => {
    installFastPrimitives()
    const alice = await createParty('alice@example.org', 1)
    const bob = await createParty('bob@example.org', 2)
    await startSession(alice, bob)
    const keyAndTag = new Uint8Array(32).fill(0xab)
    expect(hex(await decryptFrom(bob, alice, await encryptFor(alice, bob, keyAndTag)))).toBe(hex(keyAndTag))
    const reply = await encryptFor(bob, alice, keyAndTag)
    expect(reply.type).toBe(1)
    expect(hex(await decryptFrom(alice, bob, reply))).toBe(hex(keyAndTag))
  })
})
