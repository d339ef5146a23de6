import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto'

/**
 * The floor: the symmetric work the Signal double ratchet does for ONE message to ONE device, on node:crypto
 * alone, with none of libsignal's bookkeeping (record (de)serialisation, protobuf, promises):
 *   chain-key step          messageKeySeed = HMAC(CK, 0x01), CK' = HMAC(CK, 0x02)
 *   message keys            HKDF-SHA256(seed, salt = 32 zero bytes, "WhisperMessageKeys") → 80 bytes
 *                           = AES-256 key ‖ HMAC key ‖ CBC IV
 *   body                    AES-256-CBC of the 32-byte OMEMO key ‖ tag (→ 48 bytes)
 *   authentication          HMAC-SHA256(both identity keys ‖ version ‖ ciphertext), truncated to 8 bytes
 * The same derivation libsignal uses (its HKDF equals RFC 5869's, see library-crypto.test.ts), so the floor is
 * what a perfect implementation on these primitives could not go below. Keys go to node:crypto as KeyObjects,
 * its fastest path (a Buffer key is re-validated on every call, ~4× slower per HMAC).
 */
const MESSAGE_KEY_SEED = Buffer.from([0x01])
const CHAIN_KEY_SEED = Buffer.from([0x02])
const ZERO_SALT = Buffer.alloc(32)
const MESSAGE_KEYS_INFO = Buffer.from('WhisperMessageKeys')
const VERSION = Buffer.from([0x33])
const MAC_BYTES = 8

export class FloorChain {
  chainKey: Buffer
  constructor(chainKey: Buffer) {
    this.chainKey = chainKey
  }

  private nextMessageKeys(): { cipherKey: KeyObject; macKey: KeyObject; iv: Buffer } {
    const chainKey = createSecretKey(this.chainKey)
    const seed = createHmac('sha256', chainKey).update(MESSAGE_KEY_SEED).digest()
    this.chainKey = createHmac('sha256', chainKey).update(CHAIN_KEY_SEED).digest()
    const keys = Buffer.from(hkdfSync('sha256', createSecretKey(seed), ZERO_SALT, MESSAGE_KEYS_INFO, 80))
    return { cipherKey: createSecretKey(keys.subarray(0, 32)), macKey: createSecretKey(keys.subarray(32, 64)), iv: keys.subarray(64, 80) }
  }

  /** One ratchet message: version ‖ AES-256-CBC(keyAndTag) ‖ 8-byte MAC. */
  encrypt(keyAndTag: Buffer, identityKeys: Buffer): Buffer {
    const { cipherKey, macKey, iv } = this.nextMessageKeys()
    const cipher = createCipheriv('aes-256-cbc', cipherKey, iv)
    const ciphertext = Buffer.concat([cipher.update(keyAndTag), cipher.final()])
    const mac = createHmac('sha256', macKey).update(identityKeys).update(VERSION).update(ciphertext).digest().subarray(0, MAC_BYTES)
    return Buffer.concat([VERSION, ciphertext, mac])
  }

  decrypt(message: Buffer, identityKeys: Buffer): Buffer {
    const { cipherKey, macKey, iv } = this.nextMessageKeys()
    const ciphertext = message.subarray(1, message.length - MAC_BYTES)
    const mac = createHmac('sha256', macKey).update(identityKeys).update(VERSION).update(ciphertext).digest().subarray(0, MAC_BYTES)
    if (!timingSafeEqual(mac, message.subarray(message.length - MAC_BYTES))) throw new Error('floor: bad MAC')
    const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  }
}
