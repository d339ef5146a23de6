import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE } from '@noble/curves/utils.js'
import { Curve25519Wrapper } from '@privacyresearch/curve25519-typescript'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { arrayBufferOf, hex, littleEndian32, propertyOptions } from './test-support/property-options.ts'
import { clampPrivateKey, x25519KeyPair } from './x25519.ts'
import { xeddsaSign, xeddsaVerify, xeddsaVerifyReference } from './xeddsa.ts'

let donna: Curve25519Wrapper
beforeAll(async () => {
  donna = await Curve25519Wrapper.create()
})

const { Fp, Fn } = ed25519.Point
const P = Fp.ORDER
const L = Fn.ORDER

function defaultSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(donna.sign(arrayBufferOf(privateKey), arrayBufferOf(message)))
}
/** The default's verify answers "is it INVALID?"; turn it the right way round. */
function defaultAccepts(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return !donna.verify(arrayBufferOf(publicKey), arrayBufferOf(message), arrayBufferOf(signature))
}
/** Both verification paths — OpenSSL-first (what runs) and the noble reference alone — agree with the default. */
function expectSameVerdict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const verdict = defaultAccepts(publicKey, message, signature)
  const context = `pub ${hex(publicKey)} sig ${hex(signature)}`
  expect(xeddsaVerify(publicKey, message, signature), context).toBe(verdict)
  expect(xeddsaVerifyReference(publicKey, message, signature), context).toBe(verdict)
  return verdict
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const messages = fc.uint8Array({ minLength: 0, maxLength: 300 })
/** ref10's ge_scalarmult_base requires the top bit clear; clamped keys (all libsignal has) satisfy it. */
const signableKeys = fc.oneof(bytes32.map(clampPrivateKey), bytes32.map((key) => ((key[31]! &= 0x7f), key)))
const EDGE_SIGNING_KEYS = [0n, 1n, L - 1n, L, L + 1n, 1n << 254n, (1n << 255n) - 1n, 8n * L].map(littleEndian32)

describe('Curve25519 signatures (XEdDSA-style) vs the default curve25519_sign / curve25519_verify', () => {
  it('curve25519-typescript’s own known-answer vector', () => {
    const privateKey = Buffer.from('48a8892cc4e49124b7b57d94fa15becfce071830d6449004685e387c62409973', 'hex')
    const publicKey = Buffer.from('55f1bfede27b6a03e0dd389478ffb01462e5c52dbbac32cf870f00af1ed9af3a', 'hex')
    const message = Buffer.from('asdfasdfasdf')
    const signature = xeddsaSign(privateKey, message)
    expect(hex(signature)).toBe(
      '2bc06c745acb8bae10fbc607ee306084d0c28e2b3bb819133392473431291fd0dfa9c7f11479996cf520730d2901267387e08d85bbf2af941590e3035a545285',
    )
    expect(xeddsaVerify(publicKey, message, signature)).toBe(true)
  })

  it('signs deterministically, byte for byte like the default, for any key and message', () => {
    const check = (privateKey: Uint8Array, message: Uint8Array) => {
      expect(hex(xeddsaSign(privateKey, message))).toBe(hex(defaultSign(privateKey, message)))
    }
    for (const privateKey of EDGE_SIGNING_KEYS) check(privateKey, new Uint8Array([5, 1, 2, 3]))
    fc.assert(fc.property(signableKeys, messages, check), propertyOptions(150))
  }, 60_000)

  it('each accepts the other’s signatures (a 33-byte prekey, as libsignal signs)', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (identitySeed, preKeySeed) => {
        const identity = x25519KeyPair(identitySeed)
        const signedPreKey = Uint8Array.of(5, ...x25519KeyPair(preKeySeed).publicKey)
        expect(xeddsaVerify(identity.publicKey, signedPreKey, defaultSign(identity.privateKey, signedPreKey))).toBe(true)
        expect(xeddsaVerifyReference(identity.publicKey, signedPreKey, defaultSign(identity.privateKey, signedPreKey))).toBe(true)
        expect(defaultAccepts(identity.publicKey, signedPreKey, xeddsaSign(identity.privateKey, signedPreKey))).toBe(true)
      }),
      propertyOptions(60),
    )
  }, 60_000)

  it('same verdict on tampered signatures, messages and public keys', () => {
    fc.assert(
      fc.property(bytes32, messages, fc.nat(), fc.constantFrom('signature', 'message', 'publicKey'), (seed, message, position, target) => {
        const { publicKey, privateKey } = x25519KeyPair(seed)
        const signature = xeddsaSign(privateKey, message)
        const tampered = { publicKey: Uint8Array.from(publicKey), message: Uint8Array.from(message), signature: Uint8Array.from(signature) }
        const bytes = tampered[target as keyof typeof tampered]
        if (bytes.byteLength === 0) return
        bytes[position % bytes.byteLength]! ^= 1 << (position % 8)
        expectSameVerdict(tampered.publicKey, tampered.message, tampered.signature)
      }),
      propertyOptions(200),
    )
  }, 60_000)

  it('the public key’s top bit is ignored by both; a flipped sign bit is rejected by both', () => {
    const { publicKey, privateKey } = x25519KeyPair(new Uint8Array(32).fill(42))
    const message = new Uint8Array([1, 2, 3])
    const signature = xeddsaSign(privateKey, message)
    const topBitSet = Uint8Array.from(publicKey)
    topBitSet[31]! |= 0x80
    expect(expectSameVerdict(topBitSet, message, signature)).toBe(true)
    const flipped = Uint8Array.from(signature)
    flipped[63]! ^= 0x80
    expect(expectSameVerdict(publicKey, message, flipped)).toBe(false)
  })

  it('same verdict on malleated S (S + kL) and on S with its reserved top bits set', () => {
    let malleatedAccepted = 0
    fc.assert(
      fc.property(bytes32, messages, fc.integer({ min: 0, max: 8 }), (seed, message, k) => {
        const { publicKey, privateKey } = x25519KeyPair(seed)
        const signature = xeddsaSign(privateKey, message)
        const signBit = signature[63]! & 0x80
        const sBytes = Uint8Array.from(signature.subarray(32))
        sBytes[31]! &= 0x7f
        const malleated = Uint8Array.from(signature)
        malleated.set(littleEndian32((bytesToNumberLE(sBytes) + BigInt(k) * L) % (1n << 255n)), 32)
        malleated[63]! |= signBit
        if (expectSameVerdict(publicKey, message, malleated) && k > 0) malleatedAccepted++
        const reserved = Uint8Array.from(signature)
        reserved[63]! |= k % 2 === 0 ? 0x40 : 0x20
        expect(expectSameVerdict(publicKey, message, reserved)).toBe(false)
      }),
      propertyOptions(100),
    )
    expect(malleatedAccepted).toBeGreaterThan(0) // ref10 takes S + L below 2^253: both must, not just reject alike
  }, 60_000)

  it('same verdict on random garbage', () => {
    fc.assert(
      fc.property(bytes32, messages, fc.uint8Array({ minLength: 64, maxLength: 64 }), (publicKey, message, signature) => {
        expectSameVerdict(publicKey, message, signature)
      }),
      propertyOptions(100),
    )
  }, 60_000)

  it('same verdict for small-order and degenerate public keys (u = 0, 1, −1, the order-8 points, p, p+1)', () => {
    const edgeU = [
      0n, 1n, P - 1n, P, P + 1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
    ]
    let accepted = 0
    for (const u of edgeU) {
      const publicKey = littleEndian32(u)
      for (const signBit of [0, 0x80]) {
        // Forge signatures that the verification equation accepts for these weak keys (R = [S]B − [j]A and hope
        // h ≡ j mod the order of A), so the accepting path is compared too, not just rejections.
        for (let attempt = 0; attempt < 24; attempt++) {
          const message = Uint8Array.of(attempt, signBit)
          const signature = forgeForSmallOrderKey(publicKey, signBit, message, attempt)
          if (signature === undefined) continue
          if (expectSameVerdict(publicKey, message, signature)) accepted++
        }
      }
    }
    expect(accepted).toBeGreaterThan(0)
  }, 60_000)
})

/** A candidate signature for a public key whose Edwards point A has small order (see the test above). */
function forgeForSmallOrderKey(publicKey: Uint8Array, signBit: number, message: Uint8Array, attempt: number): Uint8Array | undefined {
  const u = Fp.create(bytesToNumberLE(publicKey) & ((1n << 255n) - 1n))
  const y = Fp.is0(Fp.add(u, 1n)) ? 0n : Fp.div(Fp.sub(u, 1n), Fp.add(u, 1n))
  const edwardsPublicKey = Fp.toBytes(y)
  edwardsPublicKey[31] = (edwardsPublicKey[31]! & 0x7f) | signBit
  let A
  try {
    A = ed25519.Point.fromBytes(edwardsPublicKey, true)
  } catch {
    return undefined
  }
  const S = Fn.create(BigInt(attempt) * 7919n + 12345n)
  const j = BigInt(attempt % 8)
  const R = ed25519.Point.BASE.multiply(S).subtract(A.multiplyUnsafe(j)).toBytes()
  const signature = new Uint8Array(64)
  signature.set(R, 0)
  signature.set(littleEndian32(S), 32)
  signature[63]! |= signBit
  return signature
}
