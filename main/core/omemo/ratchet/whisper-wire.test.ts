import { PreKeyWhisperMessage, WhisperMessage } from '@privacyresearch/libsignal-protocol-protobuf-ts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { propertyOptions } from '../crypto/test-support/property-options.ts'
import { decodeWhisperMessage, encodePreKeyWhisperMessage, encodeWhisperMessage, splitSignalMessage } from './whisper-wire.ts'

/** The protobuf code libsignal-protocol-typescript itself uses is the reference for every byte. */
const uint32 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffffffff }))
const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 })
const whisperFields = fc.record({ ephemeralKey: bytes, counter: uint32, previousCounter: uint32, ciphertext: bytes })

const hexOf = (data: Uint8Array) => Buffer.from(data).toString('hex')

describe('whisper-wire', () => {
  it('encodes WhisperMessage exactly as libsignal does, and decodes it back', () => {
    fc.assert(
      fc.property(whisperFields, (fields) => {
        const ours = encodeWhisperMessage(fields)
        expect(hexOf(ours)).toBe(hexOf(WhisperMessage.encode(WhisperMessage.fromPartial(fields)).finish()))
        const decoded = decodeWhisperMessage(ours)
        expect(decoded && { ...decoded, ephemeralKey: hexOf(decoded.ephemeralKey), ciphertext: hexOf(decoded.ciphertext) }).toEqual({
          ...fields,
          ephemeralKey: hexOf(fields.ephemeralKey),
          ciphertext: hexOf(fields.ciphertext),
        })
      }),
      propertyOptions(300),
    )
  })

  it('encodes PreKeyWhisperMessage exactly as libsignal does', () => {
    const preKeyFields = fc.record({
      registrationId: uint32,
      preKeyId: uint32,
      signedPreKeyId: uint32,
      baseKey: bytes,
      identityKey: bytes,
      message: bytes,
    })
    fc.assert(
      fc.property(preKeyFields, (fields) => {
        expect(hexOf(encodePreKeyWhisperMessage(fields))).toBe(hexOf(PreKeyWhisperMessage.encode(PreKeyWhisperMessage.fromPartial(fields)).finish()))
      }),
      propertyOptions(300),
    )
  })

  it('refuses counters that are not uint32 instead of writing something else', () => {
    const base = { ephemeralKey: new Uint8Array(33), previousCounter: 0, ciphertext: new Uint8Array(16) }
    for (const counter of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => encodeWhisperMessage({ ...base, counter })).toThrow(RangeError)
  })

  it('leaves every non-canonical layout to libsignal (undefined), never a wrong reading', () => {
    const canonical = encodeWhisperMessage({ ephemeralKey: new Uint8Array(33).fill(5), counter: 7, previousCounter: 2, ciphertext: new Uint8Array(48).fill(9) })
    const cases: Record<string, Uint8Array> = {
      'trailing byte': Uint8Array.from([...canonical, 0]),
      'truncated': canonical.subarray(0, canonical.byteLength - 1),
      'fields reordered': Uint8Array.from([...canonical.subarray(35, 39), ...canonical.subarray(0, 35), ...canonical.subarray(39)]),
      'counter missing': Uint8Array.from([...canonical.subarray(0, 35), ...canonical.subarray(37)]),
      'padded varint': Uint8Array.from([...canonical.subarray(0, 36), 0x87, 0x00, ...canonical.subarray(37)]),
      'empty': new Uint8Array(0),
    }
    for (const [name, input] of Object.entries(cases)) expect(decodeWhisperMessage(input), name).toBeUndefined()
    // And whatever the bytes, decoding never throws.
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (input) => void decodeWhisperMessage(input)), propertyOptions(500))
  })

  it('splits a SignalMessage into version, protobuf and the 8-byte MAC, and refuses other versions', () => {
    const proto = encodeWhisperMessage({ ephemeralKey: new Uint8Array(33), counter: 1, previousCounter: 0, ciphertext: new Uint8Array(16) })
    const mac = new Uint8Array(8).fill(0xaa)
    const split = splitSignalMessage(Uint8Array.from([0x33, ...proto, ...mac]))
    expect(split && [hexOf(split.proto), hexOf(split.mac), split.fields.counter]).toEqual([hexOf(proto), hexOf(mac), 1])
    expect(splitSignalMessage(Uint8Array.from([0x32, ...proto, ...mac]))).toBeUndefined()
    expect(splitSignalMessage(Uint8Array.from([0x33, ...mac]))).toBeUndefined()
  })
})
