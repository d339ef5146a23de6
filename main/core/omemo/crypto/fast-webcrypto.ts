import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto'
import { adoptArrayBuffer, bufferOf, type ByteSource } from './bytes.ts'

/**
 * The part of WebCrypto libsignal-protocol-typescript 0.0.16 calls (lib/internal/crypto.js), on synchronous
 * node:crypto: every method returns an already-settled promise, so no thread-pool round trip per HMAC.
 *   getRandomValues                     — key generation, registration ids
 *   subtle.importKey('raw', AES-CBC)    — message keys (32 bytes → AES-256)
 *   subtle.encrypt / decrypt (AES-CBC)  — the message body, PKCS#7 padding as WebCrypto
 *   subtle.importKey('raw', HMAC SHA-256) + subtle.sign — MACs, chain-key steps, and HKDF (built on HMAC)
 *   subtle.digest('SHA-512')            — Crypto.hash (not used by the session code, kept for completeness)
 * Anything else is refused loudly rather than half-supported. (FingerprintGenerator uses its bundled
 * msrcrypto directly and is not affected.)
 */

type AlgorithmInput = string | { name: string; hash?: string | { name: string }; iv?: ByteSource; length?: number }

export interface FastCryptoKey {
  readonly type: 'secret'
  readonly extractable: boolean
  readonly algorithm: { name: 'AES-CBC'; length: number } | { name: 'HMAC'; hash: { name: string }; length: number }
  readonly usages: readonly string[]
}

export interface FastSubtleCrypto {
  importKey(format: string, keyData: ByteSource, algorithm: AlgorithmInput, extractable: boolean, usages: readonly string[]): Promise<FastCryptoKey>
  encrypt(algorithm: AlgorithmInput, key: FastCryptoKey, data: ByteSource): Promise<ArrayBuffer>
  decrypt(algorithm: AlgorithmInput, key: FastCryptoKey, data: ByteSource): Promise<ArrayBuffer>
  sign(algorithm: AlgorithmInput, key: FastCryptoKey, data: ByteSource): Promise<ArrayBuffer>
  digest(algorithm: AlgorithmInput, data: ByteSource): Promise<ArrayBuffer>
}

export interface FastWebCrypto {
  getRandomValues<T extends ArrayBufferView>(array: T): T
  readonly subtle: FastSubtleCrypto
}

export interface FastWebCryptoOptions {
  /** Fills the array with random bytes. Default: node:crypto randomFillSync. Tests inject a seeded generator. */
  randomFill?: (bytes: Uint8Array) => void
}

/** WebCrypto hash name → node:crypto hash name. */
const HASHES = new Map([
  ['SHA-1', 'sha1'],
  ['SHA-256', 'sha256'],
  ['SHA-384', 'sha384'],
  ['SHA-512', 'sha512'],
])
const MAX_RANDOM_BYTES = 65_536 // WebCrypto's getRandomValues quota

function algorithmName(algorithm: AlgorithmInput): string {
  return (typeof algorithm === 'string' ? algorithm : algorithm.name).toUpperCase()
}

/** Validates a WebCrypto hash name and returns it upper-cased ('SHA-256'). */
function hashName(hash: string | { name: string } | undefined): string {
  const name = (typeof hash === 'string' ? hash : (hash?.name ?? '')).toUpperCase()
  if (!HASHES.has(name)) throw new DOMException(`Unsupported hash ${name || '(none)'}`, 'NotSupportedError')
  return name
}

function nodeHash(webCryptoHashName: string): string {
  const name = HASHES.get(webCryptoHashName)
  if (name === undefined) throw new DOMException(`Unsupported hash ${webCryptoHashName}`, 'NotSupportedError')
  return name
}

function operationError(message: string, cause?: unknown): DOMException {
  const error = new DOMException(message, 'OperationError')
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause })
  return error
}

/**
 * A CryptoKey look-alike. The key material lives in a private field as a node:crypto KeyObject: invisible to
 * enumeration and JSON, and ~4× faster to HMAC or encrypt with than a Buffer (node:crypto re-validates a Buffer
 * key on every createHmac/createCipheriv). A class field rather than a WeakMap: libsignal imports a key for
 * every single HMAC, and WeakMap entries cost the garbage collector extra work.
 */
class FastSecretKey implements FastCryptoKey {
  readonly type = 'secret'
  readonly extractable: boolean
  readonly algorithm: FastCryptoKey['algorithm']
  readonly usages: readonly string[]
  readonly #keyObject: KeyObject

  constructor(keyObject: KeyObject, algorithm: FastCryptoKey['algorithm'], extractable: boolean, usages: readonly string[]) {
    this.#keyObject = keyObject
    this.algorithm = algorithm
    this.extractable = extractable
    this.usages = usages
  }

  static keyObjectFor(key: FastCryptoKey, algorithm: string, usage: string): KeyObject {
    if (!(key instanceof FastSecretKey)) throw new DOMException('Not a key made by createFastWebCrypto', 'InvalidAccessError')
    if (key.algorithm.name !== algorithm || !key.usages.includes(usage)) {
      throw new DOMException(`Key is not usable for ${algorithm} ${usage}`, 'InvalidAccessError')
    }
    return key.#keyObject
  }
}

export function createFastWebCrypto(options: FastWebCryptoOptions = {}): FastWebCrypto {
  const randomFill = options.randomFill ?? ((bytes: Uint8Array) => void randomFillSync(bytes))
  function aesCbc(algorithm: AlgorithmInput, key: FastCryptoKey, data: ByteSource, usage: 'encrypt' | 'decrypt'): ArrayBuffer {
    if (algorithmName(algorithm) !== 'AES-CBC' || typeof algorithm === 'string' || algorithm.iv === undefined) {
      throw new DOMException('Only AES-CBC with an iv is supported', 'NotSupportedError')
    }
    const keyObject = FastSecretKey.keyObjectFor(key, 'AES-CBC', usage)
    const iv = bufferOf(algorithm.iv)
    if (iv.byteLength !== 16) throw operationError('AES-CBC needs a 16-byte iv')
    const cipherName = `aes-${key.algorithm.length}-cbc`
    try {
      const cipher = usage === 'encrypt' ? createCipheriv(cipherName, keyObject, iv) : createDecipheriv(cipherName, keyObject, iv)
      const head = cipher.update(bufferOf(data))
      const tail = cipher.final()
      const output = new Uint8Array(head.byteLength + tail.byteLength)
      output.set(head)
      output.set(tail, head.byteLength)
      return output.buffer
    } catch (error) {
      throw operationError(`AES-CBC ${usage} failed`, error) // e.g. bad padding, as WebCrypto's OperationError
    }
  }

  const subtle: FastSubtleCrypto = {
    async importKey(format, keyData, algorithm, extractable, usages) {
      if (format !== 'raw') throw new DOMException(`Unsupported key format ${format}`, 'NotSupportedError')
      const raw = bufferOf(keyData)
      const name = algorithmName(algorithm)
      let keyAlgorithm: FastCryptoKey['algorithm']
      if (name === 'AES-CBC') {
        if (raw.byteLength !== 16 && raw.byteLength !== 24 && raw.byteLength !== 32) throw new DOMException('AES key must be 128, 192 or 256 bits', 'DataError')
        keyAlgorithm = { name: 'AES-CBC', length: raw.byteLength * 8 }
      } else if (name === 'HMAC') {
        const hash = hashName(typeof algorithm === 'string' ? undefined : algorithm.hash)
        if (raw.byteLength === 0) throw new DOMException('HMAC key must not be empty', 'DataError')
        keyAlgorithm = { name: 'HMAC', hash: { name: hash }, length: raw.byteLength * 8 }
      } else {
        throw new DOMException(`Unsupported algorithm ${name}`, 'NotSupportedError')
      }
      // createSecretKey copies the bytes, so the caller may reuse its buffer.
      return new FastSecretKey(createSecretKey(raw), keyAlgorithm, extractable, usages)
    },
    async encrypt(algorithm, key, data) {
      return aesCbc(algorithm, key, data, 'encrypt')
    },
    async decrypt(algorithm, key, data) {
      return aesCbc(algorithm, key, data, 'decrypt')
    },
    async sign(algorithm, key, data) {
      if (algorithmName(algorithm) !== 'HMAC') throw new DOMException('Only HMAC signing is supported', 'NotSupportedError')
      const keyObject = FastSecretKey.keyObjectFor(key, 'HMAC', 'sign')
      const hash = key.algorithm.name === 'HMAC' ? key.algorithm.hash.name : ''
      return adoptArrayBuffer(createHmac(nodeHash(hash), keyObject).update(bufferOf(data)).digest())
    },
    async digest(algorithm, data) {
      return adoptArrayBuffer(createHash(nodeHash(hashName(algorithmName(algorithm)))).update(bufferOf(data)).digest())
    },
  }

  return {
    getRandomValues<T extends ArrayBufferView>(array: T): T {
      const isIntegerArray =
        array instanceof Int8Array || array instanceof Uint8Array || array instanceof Uint8ClampedArray ||
        array instanceof Int16Array || array instanceof Uint16Array || array instanceof Int32Array ||
        array instanceof Uint32Array || array instanceof BigInt64Array || array instanceof BigUint64Array
      if (!isIntegerArray) throw new DOMException('getRandomValues needs an integer typed array', 'TypeMismatchError')
      if (array.byteLength > MAX_RANDOM_BYTES) throw new DOMException(`getRandomValues is limited to ${MAX_RANDOM_BYTES} bytes`, 'QuotaExceededError')
      randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
      return array
    },
    subtle,
  }
}
