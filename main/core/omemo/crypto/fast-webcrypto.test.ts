import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFastWebCrypto } from './fast-webcrypto.ts'
import { arrayBufferOf, hex, propertyOptions } from './test-support/property-options.ts'

const fast = createFastWebCrypto()
const { subtle } = globalThis.crypto // the library's default: Node's WebCrypto

const data = fc.uint8Array({ minLength: 0, maxLength: 400 })
const aesKeys = fc.oneof(...[16, 24, 32].map((length) => fc.uint8Array({ minLength: length, maxLength: length })))
const ivs = fc.uint8Array({ minLength: 16, maxLength: 16 })

describe('fast WebCrypto vs Node’s WebCrypto (the default)', () => {
  it('HMAC-SHA256 sign, as libsignal imports and calls it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), data, async (key, message) => {
        const algorithm = { name: 'HMAC', hash: { name: 'SHA-256' } }
        const expected = await subtle.sign({ name: 'HMAC', hash: 'SHA-256' }, await subtle.importKey('raw', key, algorithm, false, ['sign']), message)
        const actual = await fast.subtle.sign({ name: 'HMAC', hash: 'SHA-256' }, await fast.subtle.importKey('raw', key, algorithm, false, ['sign']), message)
        expect(actual).toBeInstanceOf(ArrayBuffer)
        expect(hex(actual)).toBe(hex(expected))
      }),
      propertyOptions(300),
    )
  })

  it('AES-CBC encrypt and decrypt (128/192/256-bit keys, PKCS#7 padding, empty and block-aligned data)', async () => {
    await fc.assert(
      fc.asyncProperty(aesKeys, ivs, data, async (key, iv, plaintext) => {
        const defaultKey = await subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['encrypt', 'decrypt'])
        const fastKey = await fast.subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['encrypt', 'decrypt'])
        const expected = await subtle.encrypt({ name: 'AES-CBC', iv }, defaultKey, plaintext)
        const actual = await fast.subtle.encrypt({ name: 'AES-CBC', iv }, fastKey, plaintext)
        expect(hex(actual)).toBe(hex(expected))
        expect(hex(await fast.subtle.decrypt({ name: 'AES-CBC', iv }, fastKey, expected))).toBe(hex(plaintext))
      }),
      propertyOptions(300),
    )
  })

  it('AES-CBC decrypt of tampered or random ciphertext: same bytes, or both reject (bad padding)', async () => {
    const settle = (promise: Promise<ArrayBuffer>) => promise.then((bytes) => hex(bytes), () => 'rejected')
    const wholeBlocks = fc.integer({ min: 1, max: 6 }).chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 }))
    const outcomes = new Set<string>()
    await fc.assert(
      fc.asyncProperty(aesKeys, ivs, data, fc.nat(), wholeBlocks, async (key, iv, plaintext, position, randomCiphertext) => {
        const defaultKey = await subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['encrypt', 'decrypt'])
        const fastKey = await fast.subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['decrypt'])
        const tampered = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, defaultKey, plaintext))
        tampered[position % tampered.byteLength]! ^= 1 << (position % 8)
        for (const ciphertext of [tampered, randomCiphertext]) {
          const expected = await settle(subtle.decrypt({ name: 'AES-CBC', iv }, defaultKey, ciphertext))
          expect(await settle(fast.subtle.decrypt({ name: 'AES-CBC', iv }, fastKey, ciphertext))).toBe(expected)
          outcomes.add(expected === 'rejected' ? 'rejected' : 'decrypted')
        }
      }),
      propertyOptions(300),
    )
    expect([...outcomes].sort()).toEqual(['decrypted', 'rejected']) // both paths were compared
  })

  it('rejects with an OperationError like WebCrypto on bad padding and on a ciphertext that is not whole blocks', async () => {
    const key = await fast.subtle.importKey('raw', new Uint8Array(32), { name: 'AES-CBC' }, false, ['decrypt'])
    await expect(fast.subtle.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, key, new Uint8Array(16))).rejects.toMatchObject({ name: 'OperationError' })
    await expect(fast.subtle.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, key, new Uint8Array(15))).rejects.toMatchObject({ name: 'OperationError' })
  })

  it('SHA-512 and SHA-256 digests', async () => {
    await fc.assert(
      fc.asyncProperty(data, fc.constantFrom('SHA-512', 'SHA-256'), async (message, name) => {
        expect(hex(await fast.subtle.digest({ name }, message))).toBe(hex(await subtle.digest({ name }, message)))
      }),
      propertyOptions(200),
    )
  })

  it('accepts ArrayBuffers and typed-array views (with offsets) alike', async () => {
    const backing = new Uint8Array(64).map((_, index) => index)
    const view = backing.subarray(5, 37)
    const asBuffer = arrayBufferOf(view)
    expect(hex(await fast.subtle.digest('SHA-512', view))).toBe(hex(await fast.subtle.digest('SHA-512', asBuffer)))
    expect(hex(await fast.subtle.digest('SHA-512', view))).toBe(hex(await subtle.digest('SHA-512', view)))
  })

  it('getRandomValues fills in place from the injected source, and refuses what WebCrypto refuses', () => {
    const seen: number[] = []
    const injected = createFastWebCrypto({ randomFill: (bytes) => (seen.push(bytes.byteLength), bytes.fill(7)) })
    const array = new Uint16Array(3)
    expect(injected.getRandomValues(array)).toBe(array)
    expect([...array]).toEqual([0x0707, 0x0707, 0x0707])
    expect(seen).toEqual([6])
    expect(() => fast.getRandomValues(new Float64Array(2) as unknown as Uint8Array)).toThrow(/integer typed array/)
    expect(() => fast.getRandomValues(new Uint8Array(65_537))).toThrow(/65536/)
    const random = fast.getRandomValues(new Uint8Array(64))
    expect(random.some((byte) => byte !== 0)).toBe(true)
  })

  it('refuses algorithms and key uses it does not implement, instead of guessing', async () => {
    await expect(fast.subtle.importKey('jwk', new Uint8Array(16), { name: 'AES-CBC' }, false, ['encrypt'])).rejects.toMatchObject({ name: 'NotSupportedError' })
    await expect(fast.subtle.importKey('raw', new Uint8Array(16), { name: 'AES-GCM' }, false, ['encrypt'])).rejects.toMatchObject({ name: 'NotSupportedError' })
    await expect(fast.subtle.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'MD5' }, false, ['sign'])).rejects.toMatchObject({ name: 'NotSupportedError' })
    await expect(fast.subtle.importKey('raw', new Uint8Array(15), { name: 'AES-CBC' }, false, ['encrypt'])).rejects.toMatchObject({ name: 'DataError' })
    const encryptOnly = await fast.subtle.importKey('raw', new Uint8Array(16), { name: 'AES-CBC' }, false, ['encrypt'])
    await expect(fast.subtle.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, encryptOnly, new Uint8Array(16))).rejects.toMatchObject({ name: 'InvalidAccessError' })
    await expect(fast.subtle.sign('HMAC', encryptOnly, new Uint8Array(1))).rejects.toMatchObject({ name: 'InvalidAccessError' })
  })
})
