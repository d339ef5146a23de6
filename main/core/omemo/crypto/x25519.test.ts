import { Curve25519Wrapper } from '@privacyresearch/curve25519-typescript'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { arrayBufferOf, hex, littleEndian32, propertyOptions } from './test-support/property-options.ts'
import { clampPrivateKey, isSmallOrderPublicKey, x25519KeyPair, x25519SharedSecret } from './x25519.ts'

// The default implementation, called directly (synchronously) to compare with.
let donna: Curve25519Wrapper
beforeAll(async () => {
  donna = await Curve25519Wrapper.create()
})

const P = (1n << 255n) - 19n
/** u-coordinates worth testing on purpose: small order, their non-canonical forms, the top bit, the extremes. */
const EDGE_PUBLIC_KEYS: Uint8Array[] = [
  0n, 1n, 9n, P - 1n, P, P + 1n, P + 18n, (1n << 255n) - 1n, (1n << 256n) - 1n, 1n << 255n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
  (1n << 255n) + 9n,
].map(littleEndian32)
/** Raw private-key edge cases: all zeros, all ones, each bit the clamp touches. */
const EDGE_SEEDS: Uint8Array[] = [0n, 1n, 7n, 8n, (1n << 256n) - 1n, 1n << 254n, 1n << 255n, (1n << 255n) - 1n].map(littleEndian32)
/** libsignal only ever holds clamped private keys (its keyPair returns them clamped); see x25519.ts. */
const EDGE_PRIVATE_KEYS: Uint8Array[] = EDGE_SEEDS.map(clampPrivateKey)

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('X25519 on node:crypto vs curve25519-donna (the default)', () => {
  it('RFC 7748 §6.1 vectors', () => {
    const alicePrivate = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex')
    const bobPrivate = Buffer.from('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb', 'hex')
    const alice = x25519KeyPair(alicePrivate)
    const bob = x25519KeyPair(bobPrivate)
    expect(hex(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
    expect(hex(bob.publicKey)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
    expect(hex(x25519SharedSecret(bob.publicKey, alicePrivate))).toBe(shared)
    expect(hex(x25519SharedSecret(alice.publicKey, bob.privateKey))).toBe(shared)
  })

  it('key pair from any private key: same public key, same clamped private key', () => {
    const check = (privateKey: Uint8Array) => {
      const expected = donna.keyPair(arrayBufferOf(privateKey))
      const actual = x25519KeyPair(privateKey)
      expect(hex(actual.publicKey)).toBe(hex(expected.pubKey))
      expect(hex(actual.privateKey)).toBe(hex(expected.privKey))
      expect(hex(actual.privateKey)).toBe(hex(clampPrivateKey(privateKey)))
    }
    EDGE_SEEDS.forEach(check)
    fc.assert(fc.property(bytes32, check), propertyOptions(150))
  }, 60_000)

  it('agreement on any public key (top bit set, non-canonical, small order) and any clamped private key', () => {
    const check = (publicKey: Uint8Array, privateKey: Uint8Array) => {
      const expected = donna.sharedSecret(arrayBufferOf(publicKey), arrayBufferOf(privateKey))
      expect(hex(x25519SharedSecret(publicKey, privateKey))).toBe(hex(expected))
    }
    for (const publicKey of EDGE_PUBLIC_KEYS) for (const privateKey of EDGE_PRIVATE_KEYS) check(publicKey, privateKey)
    const publicKeys = fc.oneof(bytes32, fc.constantFrom(...EDGE_PUBLIC_KEYS))
    fc.assert(fc.property(publicKeys, bytes32.map(clampPrivateKey), check), propertyOptions(200))
  }, 60_000)

  it('agreement between real key pairs is symmetric', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (first, second) => {
        const a = x25519KeyPair(first)
        const b = x25519KeyPair(second)
        expect(hex(x25519SharedSecret(b.publicKey, a.privateKey))).toBe(hex(x25519SharedSecret(a.publicKey, b.privateKey)))
      }),
      propertyOptions(100),
    )
  })

  it('small-order public keys give the all-zero secret, like donna, instead of OpenSSL’s error', () => {
    const smallOrder = EDGE_PUBLIC_KEYS.filter(isSmallOrderPublicKey)
    expect(smallOrder.length).toBeGreaterThanOrEqual(8) // 0, 1, p−1, p, p+1, the two order-8 points, 2^255 (≡ 0)
    for (const publicKey of smallOrder) expect(hex(x25519SharedSecret(publicKey, EDGE_PRIVATE_KEYS[4]!))).toBe('00'.repeat(32))
  })

  it('an unclamped private key (never held by libsignal) is clamped, as RFC 7748 says; the default’s donna does not clamp', () => {
    const unclamped = littleEndian32(1n) // the scalar 1: donna returns the peer's u itself
    const peer = x25519KeyPair(littleEndian32(123n)).publicKey
    expect(hex(donna.sharedSecret(arrayBufferOf(peer), arrayBufferOf(unclamped)))).toBe(hex(peer))
    expect(hex(x25519SharedSecret(peer, unclamped))).toBe(hex(x25519SharedSecret(peer, clampPrivateKey(unclamped))))
  })

  it('refuses keys of the wrong length', () => {
    expect(() => x25519KeyPair(new Uint8Array(31))).toThrow(/32 bytes/)
    expect(() => x25519SharedSecret(new Uint8Array(33), new Uint8Array(32))).toThrow(/32 bytes/)
  })
})
