/** libsignal works on ArrayBuffers; the store and node:crypto on Buffers. */
export function toArrayBuffer(data: Buffer | Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer
}

export function toBuffer(data: ArrayBuffer | Uint8Array): Buffer {
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data)
}
