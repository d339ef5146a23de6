import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE, equalBytes, numberToBytesLE } from '@noble/curves/utils.js'
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto'

/**
 * Curve25519 signatures exactly as the library's default computes them. The default is
 * @privacyresearch/curve25519-typescript: libsignal-protocol-javascript's C code compiled to asm.js, whose
 * `curve25519_sign` is the ORIGINAL Signal construction (before the XEdDSA spec): the nonce is deterministic,
 * with no 0xFE‖0xFF… prefix and no 64 random bytes, and the Edwards sign bit travels in the top bit of S.
 * (Found by reading the compiled function — it takes 4 arguments, builds a 64-byte privateKey‖edwardsPublicKey
 * and hashes privateKey‖message for the nonce — and confirmed byte for byte in the tests.) Verification does
 * not depend on how the nonce was made: XEdDSA-spec signatures (random nonce, sign bit 0) verify here too.
 *
 * sign(a, M), a = the Montgomery private key as a 256-bit little-endian integer (libsignal stores it clamped):
 *   A = encode([a]B), signBit = A[31] & 0x80
 *   r = SHA-512(a ‖ M) mod L
 *   R = encode([r]B), h = SHA-512(R ‖ A ‖ M) mod L, S = (h·a + r) mod L
 *   signature = R ‖ S with S[31] |= signBit
 * verify(u, M, R ‖ S):
 *   y = (u − 1)/(u + 1) over the low 255 bits of u, mod p (u + 1 = 0 gives y = 0: ref10's fe_invert(0) = 0)
 *   A = (y, sign bit = top bit of the signature); clear that bit from S
 *   reject if S has any of its top 3 bits set (ref10's only "strict parsing of s") or A does not decode;
 *   accept iff encode([S]B − [h]A) = R, h = SHA-512(R ‖ A ‖ M) mod L.
 * Like ref10 this accepts S in [L, 2^253) ([S]B = [S mod L]B) and public keys with a small-order component.
 *
 * Speed: noble's variable-base multiplication makes a verification ~2 ms, a third of a session build. So
 * verification first asks OpenSSL (BoringSSL under Electron), whose Ed25519 verify checks the same cofactorless
 * equation with the same hash over the same public-key bytes, and only additionally requires S < L (and may
 * refuse more in newer versions). Its "valid" therefore implies ref10's "valid"; its "invalid" is not trusted:
 * those signatures get the exact noble check above. Verdicts are identical either way; only valid signatures
 * (the normal case) take the fast path.
 */
export const XEDDSA_SIGNATURE_BYTES = 64

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex') // OID 1.3.101.112

const Point = ed25519.Point
const { Fp, Fn } = Point
const LOW_255_BITS = (1n << 255n) - 1n

function sha512(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha512')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/** [k]B for a secret scalar (constant-time ladder in noble); k is reduced mod L first, 0 gives the identity. */
function secretBaseMultiple(scalar: bigint): ReturnType<typeof Point.BASE.multiply> {
  const reduced = Fn.create(scalar)
  return reduced === 0n ? Point.ZERO : Point.BASE.multiply(reduced)
}

export function xeddsaSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (privateKey.byteLength !== 32) throw new Error('Invalid private key: expected 32 bytes')
  const a = bytesToNumberLE(privateKey)
  const edwardsPublicKey = secretBaseMultiple(a).toBytes()
  const signBit = edwardsPublicKey[31]! & 0x80
  const r = Fn.create(bytesToNumberLE(sha512(privateKey, message)))
  const R = secretBaseMultiple(r).toBytes()
  const h = Fn.create(bytesToNumberLE(sha512(R, edwardsPublicKey, message)))
  const signature = new Uint8Array(XEDDSA_SIGNATURE_BYTES)
  signature.set(R, 0)
  signature.set(numberToBytesLE(Fn.create(h * a + r), 32), 32)
  signature[63] = (signature[63]! & 0x7f) | signBit
  return signature
}

/** The Edwards y of a Montgomery u, encoded, with the given sign bit (curve25519_verify's conversion). */
function edwardsPublicKeyFromMontgomery(publicKey: Uint8Array, signBit: number): Uint8Array {
  const u = Fp.create(bytesToNumberLE(publicKey) & LOW_255_BITS)
  const uPlusOne = Fp.add(u, 1n)
  const y = Fp.is0(uPlusOne) ? 0n : Fp.div(Fp.sub(u, 1n), uPlusOne)
  const encoded = Fp.toBytes(y)
  encoded[31] = (encoded[31]! & 0x7f) | signBit
  return encoded
}

/** OpenSSL's Ed25519 verdict, trusted only when it says valid (see the header). */
function opensslAccepts(edwardsPublicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, edwardsPublicKey]), format: 'der', type: 'spki' })
    return nodeVerify(null, message, key, signature)
  } catch {
    return false
  }
}

/** True when the signature is valid. (libsignal's curve interface wants the opposite: see fast-curve.ts.) */
export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature(publicKey, message, signature, true)
}

/** The exact ref10-equivalent check alone, without asking OpenSSL first (for the tests). */
export function xeddsaVerifyReference(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature(publicKey, message, signature, false)
}

function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, tryOpenssl: boolean): boolean {
  if (publicKey.byteLength !== 32 || signature.byteLength !== XEDDSA_SIGNATURE_BYTES) return false
  const edwardsPublicKey = edwardsPublicKeyFromMontgomery(publicKey, signature[63]! & 0x80)
  const sBytes = signature.slice(32, 64)
  sBytes[31]! &= 0x7f
  if (sBytes[31]! & 0xe0) return false
  const R = signature.subarray(0, 32)
  if (tryOpenssl) {
    const plainSignature = new Uint8Array(XEDDSA_SIGNATURE_BYTES)
    plainSignature.set(R, 0)
    plainSignature.set(sBytes, 32)
    if (opensslAccepts(edwardsPublicKey, plainSignature, message)) return true
  }
  let A: ReturnType<typeof Point.fromBytes>
  try {
    A = Point.fromBytes(edwardsPublicKey, true) // ZIP-215 decoding is ref10's: x = 0 with the sign bit set is accepted
  } catch {
    return false
  }
  const h = Fn.create(bytesToNumberLE(sha512(R, edwardsPublicKey, message)))
  const S = Fn.create(bytesToNumberLE(sBytes))
  const check = Point.BASE.multiplyUnsafe(S).add(A.negate().multiplyUnsafe(h))
  return equalBytes(check.toBytes(), R)
}
