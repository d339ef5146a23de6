/**
 * Byte shapes at the libsignal boundary: libsignal hands over ArrayBuffers (sometimes typed arrays) and
 * checks `instanceof ArrayBuffer` and `byteLength` on what it gets back; node:crypto wants Buffers.
 */
export type ByteSource = ArrayBuffer | ArrayBufferView

/** A view (no copy) of the bytes of an ArrayBuffer or typed array. */
export function bytesOf(data: ByteSource): Uint8Array {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  throw new TypeError('expected an ArrayBuffer or a typed array')
}

/** A Buffer view (no copy) for node:crypto. */
export function bufferOf(data: ByteSource): Buffer {
  const bytes = bytesOf(data)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** A fresh ArrayBuffer of exactly these bytes (a Buffer's own `.buffer` may be a shared pool slab). */
export function exactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy.buffer
}

/**
 * The ArrayBuffer behind bytes node:crypto just created (a digest, a shared secret): handed over without a copy
 * when the view spans the whole buffer, copied otherwise (small Buffers may live in Node's shared pool).
 * Only for fresh results nobody else holds.
 */
export function adoptArrayBuffer(fresh: Uint8Array): ArrayBuffer {
  const { buffer } = fresh
  if (fresh.byteOffset === 0 && buffer.byteLength === fresh.byteLength && buffer instanceof ArrayBuffer) return buffer
  return exactArrayBuffer(fresh)
}
