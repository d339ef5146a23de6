import { setCurve, setWebCrypto } from '@privacyresearch/libsignal-protocol-typescript'
import { createFastCurve } from './fast-curve.ts'
import { createFastWebCrypto } from './fast-webcrypto.ts'

/**
 * Fast primitives for libsignal-protocol-typescript 0.0.16 (details in each file):
 * - fastWebCrypto: HMAC-SHA256, AES-CBC, SHA-512 and randomness on synchronous node:crypto;
 * - fastCurve: X25519 on node:crypto, libsignal's Curve25519 (XEdDSA-style) signatures on @noble/curves.
 * Both give byte-identical results to the library's defaults (WebCrypto + curve25519-donna compiled to asm.js);
 * the tests beside this file prove it. Sessions, keys and signatures made with either set work with the other.
 */
export { createFastCurve, type SignalAsyncCurve } from './fast-curve.ts'
export { createFastWebCrypto, type FastWebCrypto, type FastWebCryptoOptions } from './fast-webcrypto.ts'

export const fastCurve = createFastCurve()
export const fastWebCrypto = createFastWebCrypto()

/**
 * Points libsignal's process-wide crypto at the fast primitives. Idempotent (it always installs the same two
 * objects); call it once at start-up, before the first session operation. The setters are global to the
 * library, so do not swap primitives while a session operation is in flight.
 */
export function installFastPrimitives(): void {
  // libsignal types the parameter as the DOM Crypto; it only ever calls the members FastWebCrypto has.
  setWebCrypto(fastWebCrypto as unknown as Crypto)
  setCurve(fastCurve)
}
