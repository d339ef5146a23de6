/** fast-check runs with a fixed seed, so a failure reproduces exactly; override with FC_SEED to explore. */
export const PROPERTY_SEED = Number(process.env.FC_SEED ?? 0x0_4e_3d_a1)

export function propertyOptions(numRuns: number): { seed: number; numRuns: number } {
  return { seed: PROPERTY_SEED, numRuns }
}

export function hex(data: ArrayBuffer | Uint8Array): string {
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('hex')
}

export function arrayBufferOf(bytes: Uint8Array | number[]): ArrayBuffer {
  return Uint8Array.from(bytes).buffer
}

/** Little-endian 32-byte encoding of a non-negative integer below 2^256. */
export function littleEndian32(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32)
  for (let index = 0; index < 32; index++) bytes[index] = Number((value >> BigInt(8 * index)) & 0xffn)
  return bytes
}
