import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto'

/**
 * X25519 (RFC 7748) over node:crypto, matching curve25519-donna as libsignal uses it: the top bit of a public
 * key is ignored, non-canonical public keys are reduced mod p, and a small-order public key gives an all-zero
 * shared secret (OpenSSL refuses to derive that one, donna returns it). Keys are raw 32 bytes here; libsignal
 * strips and adds the 0x05 type byte itself.
 *
 * One difference, on inputs libsignal never produces: the default's curve25519_donna does not clamp (its JS
 * keyPair clamps instead), so its sharedSecret multiplies by an UNclamped private key as given, while OpenSSL
 * always clamps, as RFC 7748 specifies. Every private key libsignal holds comes out of keyPair, clamped, and
 * for clamped keys the results are identical (x25519.test.ts pins both facts).
 *
 * Keys enter OpenSSL (or BoringSSL under Electron) as DER: PKCS#8 / SPKI wrappers with the X25519
 * OID 1.3.101.110. That encoding is accepted by every Node and Electron version; JWK would need the
 * public half of a private key up front, and the 'raw-private' format only exists in recent Node.
 */
export const X25519_KEY_BYTES = 32

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

/** Field prime 2^255 − 19. */
const P = (1n << 255n) - 19n
/**
 * The u-coordinates, mod p, of the points whose order divides 8 (curve and twist): with a clamped
 * scalar (a multiple of 8) they, and only they, give the all-zero result.
 */
const SMALL_ORDER_U = new Set<bigint>([
  0n,
  1n,
  P - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
])

function assertKeyLength(key: Uint8Array, what: string): void {
  if (key.byteLength !== X25519_KEY_BYTES) throw new Error(`Invalid ${what}: expected ${X25519_KEY_BYTES} bytes, got ${key.byteLength}`)
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, privateKey]), format: 'der', type: 'pkcs8' })
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, publicKey]), format: 'der', type: 'spki' })
}

/** The standard X25519 private-key clamp (what donna applies, and what libsignal stores). */
export function clampPrivateKey(privateKey: Uint8Array): Uint8Array {
  assertKeyLength(privateKey, 'private key')
  const clamped = Uint8Array.from(privateKey)
  clamped[0]! &= 248
  clamped[31]! &= 127
  clamped[31]! |= 64
  return clamped
}

/** u mod p of a public key, top bit ignored (RFC 7748 §5). */
function uCoordinate(publicKey: Uint8Array): bigint {
  let u = 0n
  for (let index = 31; index >= 0; index--) u = (u << 8n) | BigInt(publicKey[index]!)
  return (u & ((1n << 255n) - 1n)) % P
}

export function isSmallOrderPublicKey(publicKey: Uint8Array): boolean {
  assertKeyLength(publicKey, 'public key')
  return SMALL_ORDER_U.has(uCoordinate(publicKey))
}

/** The public key X25519(clamp(k), 9) and the clamped private key, as curve25519-donna's keyPair returns them. */
export function x25519KeyPair(privateKey: Uint8Array): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const clamped = clampPrivateKey(privateKey)
  const jwk = createPublicKey(privateKeyObject(clamped)).export({ format: 'jwk' })
  if (typeof jwk.x !== 'string') throw new Error('X25519: no public key in the exported JWK')
  const publicKey = new Uint8Array(Buffer.from(jwk.x, 'base64url'))
  assertKeyLength(publicKey, 'derived public key')
  return { publicKey, privateKey: clamped }
}

/** X25519(clamp(privateKey), publicKey): the Diffie-Hellman shared secret. */
export function x25519SharedSecret(publicKey: Uint8Array, privateKey: Uint8Array): Uint8Array {
  assertKeyLength(publicKey, 'public key')
  assertKeyLength(privateKey, 'private key')
  try {
    return diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: publicKeyObject(publicKey) })
  } catch (error) {
    // OpenSSL and BoringSSL refuse an all-zero result; donna (the default) returns it. Match the default
    // for exactly the inputs that produce it, rethrow anything else.
    if (isSmallOrderPublicKey(publicKey)) return new Uint8Array(X25519_KEY_BYTES)
    throw error
  }
}
