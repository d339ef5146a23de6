/**
 * The two libsignal v3 messages OMEMO 0.3 carries in a <key/> (XEP-0384 §4.5), as raw bytes:
 *   SignalMessage        version ‖ WhisperMessage protobuf ‖ 8-byte MAC
 *   PreKeySignalMessage  version ‖ PreKeyWhisperMessage protobuf (its `message` is a whole SignalMessage)
 * Encoding is byte-identical to libsignal-protocol-typescript 0.0.16 (its ts-proto code writes every field,
 * zeros included, in this order). Decoding accepts only that canonical layout and returns undefined for
 * anything else, so the caller can leave unusual input to libsignal's own lenient decoder.
 */

/** Protocol version 3 in both nibbles (current and minimum), the first byte of every message. */
export const MESSAGE_VERSION = 0x33
export const MAC_LENGTH = 8

export interface WhisperMessageFields {
  ephemeralKey: Uint8Array
  counter: number
  previousCounter: number
  ciphertext: Uint8Array
}

export interface PreKeyWhisperMessageFields {
  registrationId: number
  preKeyId: number
  signedPreKeyId: number
  baseKey: Uint8Array
  identityKey: Uint8Array
  message: Uint8Array
}

// Tags: field number << 3 | wire type (0 = varint, 2 = length-delimited).
const TAG = {
  ephemeralKey: (1 << 3) | 2,
  counter: (2 << 3) | 0,
  previousCounter: (3 << 3) | 0,
  ciphertext: (4 << 3) | 2,
  preKeyId: (1 << 3) | 0,
  baseKey: (2 << 3) | 2,
  identityKey: (3 << 3) | 2,
  message: (4 << 3) | 2,
  registrationId: (5 << 3) | 0,
  signedPreKeyId: (6 << 3) | 0,
} as const
type Tag = (typeof TAG)[keyof typeof TAG]

/** Accumulates one protobuf message; sizes are known up front, so one allocation. */
class ProtoWriter {
  readonly bytes: Uint8Array
  #position = 0

  constructor(length: number) {
    this.bytes = new Uint8Array(length)
  }

  varint(value: number): this {
    let rest = value >>> 0
    while (rest > 0x7f) {
      this.bytes[this.#position++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    this.bytes[this.#position++] = rest
    return this
  }

  field(tag: Tag, value: number | Uint8Array): this {
    this.varint(tag)
    if (typeof value === 'number') return this.varint(value)
    this.varint(value.byteLength)
    this.bytes.set(value, this.#position)
    this.#position += value.byteLength
    return this
  }
}

function varintLength(value: number): number {
  let rest = value >>> 0
  let length = 1
  while (rest > 0x7f) {
    rest >>>= 7
    length++
  }
  return length
}

/** Bytes a field takes: one tag byte (all tags here are < 128) plus the value. */
function fieldLength(value: number | Uint8Array): number {
  return typeof value === 'number' ? 1 + varintLength(value) : 1 + varintLength(value.byteLength) + value.byteLength
}

function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff
}

export function encodeWhisperMessage(fields: WhisperMessageFields): Uint8Array {
  const { ephemeralKey, counter, previousCounter, ciphertext } = fields
  if (!isUint32(counter) || !isUint32(previousCounter)) throw new RangeError('counters must be uint32')
  const length = fieldLength(ephemeralKey) + fieldLength(counter) + fieldLength(previousCounter) + fieldLength(ciphertext)
  return new ProtoWriter(length)
    .field(TAG.ephemeralKey, ephemeralKey)
    .field(TAG.counter, counter)
    .field(TAG.previousCounter, previousCounter)
    .field(TAG.ciphertext, ciphertext).bytes
}

export function encodePreKeyWhisperMessage(fields: PreKeyWhisperMessageFields): Uint8Array {
  const { registrationId, preKeyId, signedPreKeyId, baseKey, identityKey, message } = fields
  if (![registrationId, preKeyId, signedPreKeyId].every(isUint32)) throw new RangeError('ids must be uint32')
  const length =
    fieldLength(registrationId) + fieldLength(preKeyId) + fieldLength(signedPreKeyId) + fieldLength(baseKey) + fieldLength(identityKey) + fieldLength(message)
  return new ProtoWriter(length)
    .field(TAG.registrationId, registrationId)
    .field(TAG.preKeyId, preKeyId)
    .field(TAG.signedPreKeyId, signedPreKeyId)
    .field(TAG.baseKey, baseKey)
    .field(TAG.identityKey, identityKey)
    .field(TAG.message, message).bytes
}

/** Reads the canonical layout only; any deviation ends the read with undefined. */
class ProtoReader {
  readonly #bytes: Uint8Array
  #position = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
  }

  get done(): boolean {
    return this.#position === this.#bytes.byteLength
  }

  #varint(): number | undefined {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.#bytes[this.#position++]
      if (byte === undefined) return undefined
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) {
        // Canonical: no redundant trailing zero groups, and within uint32.
        if (shift > 0 && byte === 0) return undefined
        return value <= 0xffffffff ? value : undefined
      }
    }
    return undefined
  }

  number(tag: Tag): number | undefined {
    return this.#varint() === tag ? this.#varint() : undefined
  }

  bytes(tag: Tag): Uint8Array | undefined {
    if (this.#varint() !== tag) return undefined
    const length = this.#varint()
    if (length === undefined || this.#position + length > this.#bytes.byteLength) return undefined
    const value = this.#bytes.subarray(this.#position, this.#position + length)
    this.#position += length
    return value
  }
}

export function decodeWhisperMessage(bytes: Uint8Array): WhisperMessageFields | undefined {
  const reader = new ProtoReader(bytes)
  const ephemeralKey = reader.bytes(TAG.ephemeralKey)
  if (ephemeralKey === undefined) return undefined
  const counter = reader.number(TAG.counter)
  if (counter === undefined) return undefined
  const previousCounter = reader.number(TAG.previousCounter)
  if (previousCounter === undefined) return undefined
  const ciphertext = reader.bytes(TAG.ciphertext)
  if (ciphertext === undefined || !reader.done) return undefined
  return { ephemeralKey, counter, previousCounter, ciphertext }
}

/** A SignalMessage split into its parts: the protobuf (what the MAC covers after the keys) and the MAC. */
export function splitSignalMessage(bytes: Uint8Array): { proto: Uint8Array; mac: Uint8Array; fields: WhisperMessageFields } | undefined {
  if (bytes.byteLength <= 1 + MAC_LENGTH || bytes[0] !== MESSAGE_VERSION) return undefined
  const proto = bytes.subarray(1, bytes.byteLength - MAC_LENGTH)
  const fields = decodeWhisperMessage(proto)
  return fields && { proto, mac: bytes.subarray(bytes.byteLength - MAC_LENGTH), fields }
}
