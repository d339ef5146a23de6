import * as Internal from '@privacyresearch/libsignal-protocol-typescript/lib/internal/crypto.js'
import fc from 'fast-check'
import { hkdfSync } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { defaultPrimitives, fastPrimitives, runSide, type PrimitiveSet } from './test-support/primitive-sets.ts'
import { arrayBufferOf, hex, propertyOptions } from './test-support/property-options.ts'

/**
 * The same comparisons one level up: through libsignal's own internal Crypto object (what SessionBuilder and
 * SessionCipher call), so the library's wrapping — 0x05 key prefixes, clamping in createKeyPair, HKDF over
 * HMAC, the inverted verify — is part of what is compared.
 */
const defaults = defaultPrimitives()
const fast = fastPrimitives()

async function both<T>(operation: () => Promise<T>): Promise<{ expected: T; actual: T }> {
  return { expected: await runSide(defaults, operation), actual: await runSide(fast, operation) }
}

async function outcome(operation: () => Promise<ArrayBuffer | boolean | ArrayBuffer[]>): Promise<string> {
  try {
    const result = await operation()
    if (typeof result === 'boolean') return String(result)
    return Array.isArray(result) ? result.map(hex).join('|') : hex(result)
  } catch (error) {
    return `threw ${(error as Error).message.split(':')[0]}`
  }
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const crypto = Internal.crypto

describe('libsignal’s Internal.crypto on the fast primitives vs on the defaults', () => {
  it('HKDF (libsignal’s: 3 blocks of HMAC-SHA256), equal to RFC 5869 HKDF as node:crypto computes it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 96 }), bytes32, fc.constantFrom('WhisperMessageKeys', 'WhisperRatchet', 'WhisperText'), async (input, salt, info) => {
        const { expected, actual } = await both(() => Internal.HKDF(arrayBufferOf(input), arrayBufferOf(salt), info))
        expect(actual.map(hex)).toEqual(expected.map(hex))
        expect(hex(Buffer.concat(expected.map((block) => new Uint8Array(block))))).toBe(hex(new Uint8Array(hkdfSync('sha256', input, salt, info, 96))))
      }),
      propertyOptions(100),
    )
  })

  it('MAC, AES-CBC encrypt/decrypt and SHA-512 hash', async () => {
    await fc.assert(
      fc.asyncProperty(bytes32, fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 200 }), async (key, iv, data) => {
        const ciphertexts = await both(() => crypto.encrypt(arrayBufferOf(key), arrayBufferOf(data), arrayBufferOf(iv)))
        expect(hex(ciphertexts.actual)).toBe(hex(ciphertexts.expected))
        const plaintexts = await both(() => crypto.decrypt(arrayBufferOf(key), ciphertexts.expected, arrayBufferOf(iv)))
        expect(hex(plaintexts.actual)).toBe(hex(plaintexts.expected))
        const macs = await both(() => crypto.sign(arrayBufferOf(key), arrayBufferOf(data)))
        expect(hex(macs.actual)).toBe(hex(macs.expected))
        const hashes = await both(() => crypto.hash(arrayBufferOf(data)))
        expect(hex(hashes.actual)).toBe(hex(hashes.expected))
      }),
      propertyOptions(100),
    )
  })

  it('createKeyPair (0x05-prefixed public key, clamped private key), ECDHE on 33-byte keys, sign and verify', async () => {
    await fc.assert(
      fc.asyncProperty(bytes32, bytes32, fc.uint8Array({ maxLength: 100 }), async (ourSeed, theirSeed, message) => {
        const ours = await both(() => crypto.createKeyPair(arrayBufferOf(ourSeed)))
        expect(hex(ours.actual.pubKey)).toBe(hex(ours.expected.pubKey))
        expect(hex(ours.actual.privKey)).toBe(hex(ours.expected.privKey))
        expect(new Uint8Array(ours.actual.pubKey)[0]).toBe(5)
        const theirs = await runSide(fast, () => crypto.createKeyPair(arrayBufferOf(theirSeed)))
        const secrets = await both(() => crypto.ECDHE(theirs.pubKey, ours.expected.privKey))
        expect(hex(secrets.actual)).toBe(hex(secrets.expected))
        const signatures = await both(() => crypto.Ed25519Sign(ours.expected.privKey, arrayBufferOf(message)))
        expect(hex(signatures.actual)).toBe(hex(signatures.expected))
        const verdicts = await both(() => outcome(() => crypto.Ed25519Verify(ours.expected.pubKey, arrayBufferOf(message), signatures.expected)))
        expect(verdicts.actual).toBe(verdicts.expected)
        expect(verdicts.actual).toBe('false') // "not invalid"
        const forged = new Uint8Array(signatures.expected)
        forged[0]! ^= 1
        const rejections = await both(() => outcome(() => crypto.Ed25519Verify(ours.expected.pubKey, arrayBufferOf(message), forged.buffer)))
        expect(rejections.actual).toBe(rejections.expected)
        expect(rejections.actual).toBe('threw Invalid signature')
      }),
      propertyOptions(40),
    )
  }, 60_000)

  it('the library’s key checks run before either curve: same errors for bad keys', async () => {
    // libsignal logs each rejected key; keep the test output quiet.
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { privKey } = await runSide(fast, () => crypto.createKeyPair(arrayBufferOf(new Uint8Array(32).fill(9))))
    const badPublicKeys = [new Uint8Array(33).fill(6), new Uint8Array(31), new Uint8Array(0)]
    for (const publicKey of badPublicKeys) {
      const results = await both(() => outcome(() => crypto.ECDHE(arrayBufferOf(publicKey), privKey)))
      expect(results.actual).toBe(results.expected)
      expect(results.actual).toMatch(/^threw Invalid public key/)
    }
    const shortPrivateKey = await both(() => outcome(() => crypto.ECDHE(arrayBufferOf(new Uint8Array(32)), new ArrayBuffer(31))))
    expect(shortPrivateKey.actual).toBe(shortPrivateKey.expected)
    vi.restoreAllMocks()
  })

  it('each set did its own work (the swap really swaps)', () => {
    const worked = (set: PrimitiveSet) => set.calls.curve > 0 && set.calls.subtle > 0
    expect(worked(defaults)).toBe(true)
    expect(worked(fast)).toBe(true)
  })
})
