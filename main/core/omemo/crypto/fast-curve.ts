import type { setCurve } from '@privacyresearch/libsignal-protocol-typescript'
import { adoptArrayBuffer, bytesOf } from './bytes.ts'
import { x25519KeyPair, x25519SharedSecret } from './x25519.ts'
import { xeddsaSign, xeddsaVerify } from './xeddsa.ts'

/**
 * The curve interface libsignal's `setCurve` takes (@privacyresearch/curve25519-typescript's AsyncCurve).
 * Keys are raw 32 bytes: libsignal strips the 0x05 type byte before calling and prepends it to what keyPair returns.
 */
export type SignalAsyncCurve = Parameters<typeof setCurve>[0]

/**
 * X25519 on node:crypto and libsignal's Curve25519 signatures on @noble/curves, behind libsignal's async curve
 * interface. Signing is deterministic, like the default's (see xeddsa.ts), so nothing random is injected here.
 */
export function createFastCurve(): SignalAsyncCurve {
  return {
    async keyPair(privKey: ArrayBuffer) {
      const { publicKey, privateKey } = x25519KeyPair(bytesOf(privKey))
      return { pubKey: adoptArrayBuffer(publicKey), privKey: adoptArrayBuffer(privateKey) }
    },
    async sharedSecret(pubKey: ArrayBuffer, privKey: ArrayBuffer) {
      return adoptArrayBuffer(x25519SharedSecret(bytesOf(pubKey), bytesOf(privKey)))
    },
    async sign(privKey: ArrayBuffer, message: ArrayBuffer) {
      return adoptArrayBuffer(xeddsaSign(bytesOf(privKey), bytesOf(message)))
    },
    // This interface's verify resolves to true when the signature is INVALID (libsignal then throws
    // "Invalid signature"); curve25519-typescript's own wrapper documents the same inversion.
    async verify(pubKey: ArrayBuffer, message: ArrayBuffer, sig: ArrayBuffer) {
      return !xeddsaVerify(bytesOf(pubKey), bytesOf(message), bytesOf(sig))
    },
  }
}
