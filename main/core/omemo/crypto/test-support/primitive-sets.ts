import { AsyncCurve25519Wrapper } from '@privacyresearch/curve25519-typescript'
import { setCurve, setWebCrypto } from '@privacyresearch/libsignal-protocol-typescript'
import { createFastCurve, type SignalAsyncCurve } from '../fast-curve.ts'
import { createFastWebCrypto } from '../fast-webcrypto.ts'

/**
 * The two primitive sets libsignal can run on, with an optional seeded random source, and a guard that swaps
 * them between (never during) session operations. libsignal's setCurve/setWebCrypto replace the primitives of
 * one process-wide `Internal.crypto` object that every SessionBuilder/SessionCipher call reads at call time,
 * and nothing derived from a primitive is cached, so swapping between awaited steps is sound as long as no
 * two steps overlap (runSide refuses overlap). Each step installs its own set first, so nothing depends on
 * what ran before it. (A child process per side would also work, but needs the whole session state shipped
 * across on every step; swapping is simpler and exercises exactly the same library code.)
 */
export type PrimitiveKind = 'default' | 'fast'

export interface PrimitiveSet {
  readonly kind: PrimitiveKind
  /** Calls made to this set's curve and subtle crypto, to show which set did the work. */
  readonly calls: { curve: number; subtle: number }
  install(): void
}

type RandomFill = (bytes: Uint8Array) => void

function countingCurve(curve: SignalAsyncCurve, calls: { curve: number }): SignalAsyncCurve {
  return {
    keyPair: (privKey) => (calls.curve++, curve.keyPair(privKey)),
    sharedSecret: (pubKey, privKey) => (calls.curve++, curve.sharedSecret(pubKey, privKey)),
    sign: (privKey, message) => (calls.curve++, curve.sign(privKey, message)),
    verify: (pubKey, message, sig) => (calls.curve++, curve.verify(pubKey, message, sig)),
  }
}

function countingSubtle<T extends object>(subtle: T, calls: { subtle: number }): T {
  return new Proxy(subtle, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.subtle++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

/** Puts the library's own defaults back (Node's WebCrypto, curve25519-typescript's asm.js), uninstrumented. */
export function installDefaultPrimitives(): void {
  setWebCrypto(globalThis.crypto)
  setCurve(new AsyncCurve25519Wrapper())
}

/** The library's defaults: Node's WebCrypto and curve25519-donna/ref10 compiled to asm.js. */
export function defaultPrimitives(randomFill?: RandomFill): PrimitiveSet {
  const calls = { curve: 0, subtle: 0 }
  const curve = countingCurve(new AsyncCurve25519Wrapper(), calls)
  const subtle = countingSubtle(globalThis.crypto.subtle, calls)
  const webcrypto = {
    getRandomValues<T extends ArrayBufferView>(array: T): T {
      if (randomFill === undefined) return globalThis.crypto.getRandomValues(array as unknown as Uint8Array) as unknown as T
      randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
      return array
    },
    subtle,
  }
  return {
    kind: 'default',
    calls,
    install() {
      setWebCrypto(webcrypto as unknown as Crypto)
      setCurve(curve)
    },
  }
}

/** This folder's primitives (what installFastPrimitives installs), optionally on a seeded random source. */
export function fastPrimitives(randomFill?: RandomFill): PrimitiveSet {
  const calls = { curve: 0, subtle: 0 }
  const curve = countingCurve(createFastCurve(), calls)
  const webcrypto = createFastWebCrypto(randomFill === undefined ? {} : { randomFill })
  const subtle = countingSubtle(webcrypto.subtle, calls)
  const counted = { getRandomValues: webcrypto.getRandomValues.bind(webcrypto), subtle }
  return {
    kind: 'fast',
    calls,
    install() {
      setWebCrypto(counted as unknown as Crypto)
      setCurve(curve)
    },
  }
}

let stepInFlight = false

/** Runs one protocol step with the given primitives installed; refuses to overlap another step. */
export async function runSide<T>(primitives: PrimitiveSet, step: () => Promise<T>): Promise<T> {
  if (stepInFlight) throw new Error('A session step is already running: primitives must not be swapped under it')
  stepInFlight = true
  try {
    primitives.install()
    return await step()
  } finally {
    stepInFlight = false
  }
}
