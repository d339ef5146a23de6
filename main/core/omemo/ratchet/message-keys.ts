import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, timingSafeEqual } from 'node:crypto'
import { MAC_LENGTH, MESSAGE_VERSION } from './whisper-wire.ts'

/**
 * The symmetric half of the Signal double ratchet (libsignal v3, as OMEMO 0.3 uses it), on node:crypto:
 *   chain step     message key seed = HMAC-SHA256(CK, 0x01), next CK = HMAC-SHA256(CK, 0x02)
 *   message keys   HKDF-SHA256(seed, salt = 32 zero bytes, info "WhisperMessageKeys") = cipher key ‖ MAC key ‖ IV
 *   body           AES-256-CBC with PKCS#7 padding, IV = the first 16 bytes of the third block
 *   MAC            HMAC-SHA256(sender identity ‖ receiver identity ‖ version ‖ protobuf), first 8 bytes
 * libsignal computes exactly these (its HKDF is RFC 5869's; see crypto/library-crypto.test.ts); the tests
 * beside this file check byte-identity against the library itself.
 */
const MESSAGE_KEY_SEED = Buffer.from([0x01])
const CHAIN_KEY_SEED = Buffer.from([0x02])
const ZERO_SALT = Buffer.alloc(32)
const MESSAGE_KEYS_INFO = Buffer.from('WhisperMessageKeys')
const VERSION_BYTE = Buffer.from([MESSAGE_VERSION])

export interface ChainStep {
  messageKeySeed: Buffer
  nextChainKey: Buffer
}

/** One chain-key step. Keys go to node:crypto as KeyObjects, its fast path. */
export function stepChain(chainKey: Buffer): ChainStep {
  const key = createSecretKey(chainKey)
  return {
    messageKeySeed: createHmac('sha256', key).update(MESSAGE_KEY_SEED).digest(),
    nextChainKey: createHmac('sha256', key).update(CHAIN_KEY_SEED).digest(),
  }
}

export interface MessageKeys {
  cipherKey: Buffer
  macKey: Buffer
  iv: Buffer
}

export function deriveMessageKeys(messageKeySeed: Buffer): MessageKeys {
  const keys = Buffer.from(hkdfSync('sha256', createSecretKey(messageKeySeed), ZERO_SALT, MESSAGE_KEYS_INFO, 80))
  return { cipherKey: keys.subarray(0, 32), macKey: keys.subarray(32, 64), iv: keys.subarray(64, 80) }
}

export function encryptBody(keys: MessageKeys, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-cbc', createSecretKey(keys.cipherKey), keys.iv)
  return Buffer.concat([cipher.update(plaintext), cipher.final()])
}

/** Throws on bad padding (a wrong key), as libsignal's WebCrypto decrypt does. */
export function decryptBody(keys: MessageKeys, ciphertext: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', createSecretKey(keys.cipherKey), keys.iv)
  return Buffer.concat([decipher.update(ciphertext), decipher.final()])
}

/** The 8-byte MAC over a SignalMessage's protobuf; `senderIdentity` first, as both ends compute it. */
export function messageMac(keys: MessageKeys, senderIdentity: Uint8Array, receiverIdentity: Uint8Array, proto: Uint8Array): Buffer {
  return createHmac('sha256', createSecretKey(keys.macKey))
    .update(senderIdentity)
    .update(receiverIdentity)
    .update(VERSION_BYTE)
    .update(proto)
    .digest()
    .subarray(0, MAC_LENGTH)
}

export function macMatches(expected: Buffer, received: Uint8Array): boolean {
  return received.byteLength === expected.byteLength && timingSafeEqual(expected, received)
}
