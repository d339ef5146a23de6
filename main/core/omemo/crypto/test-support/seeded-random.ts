import { createHash } from 'node:crypto'

/**
 * A deterministic byte stream (SHA-256 of seed ‖ block counter) for tests that must draw the very same keys
 * under two primitive sets. Never for real keys.
 */
export function seededRandomFill(seed: string): (bytes: Uint8Array) => void {
  let counter = 0
  let pool = new Uint8Array(0)
  let used = 0
  return (bytes) => {
    for (let offset = 0; offset < bytes.byteLength; offset++) {
      if (used === pool.byteLength) {
        pool = createHash('sha256').update(`${seed}:${counter++}`).digest()
        used = 0
      }
      bytes[offset] = pool[used++]!
    }
  }
}
