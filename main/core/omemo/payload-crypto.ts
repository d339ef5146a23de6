import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * XEP-0384 §4.5 (as deployed, see PROTOCOL-NOTES.md): the body is encrypted with AES-128-GCM under a
 * fresh key and 12-byte IV; what goes to each device is the 16-byte key followed by the 16-byte tag.
 */
export interface SealedPayload {
  keyAndTag: Buffer
  iv: Buffer
  ciphertext: Buffer
}

export function sealPayload(plaintext: Buffer, random: (size: number) => Buffer = randomBytes): SealedPayload {
  const key = random(16)
  const iv = random(12)
  const cipher = createCipheriv('aes-128-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { keyAndTag: Buffer.concat([key, cipher.getAuthTag()]), iv, ciphertext }
}

/** A fresh key and IV without a payload: a KeyTransportElement (§4.6) carries just these. */
export function keyTransportMaterial(random: (size: number) => Buffer = randomBytes): { keyAndTag: Buffer; iv: Buffer } {
  return { keyAndTag: random(32), iv: random(12) }
}

/**
 * Opens a payload. Accepts the 32-byte key‖tag form, and the older 16-byte key with the tag appended
 * to the payload. Throws on a wrong key, IV or tag (GCM authentication).
 */
export function openPayload(keyMaterial: Buffer, iv: Buffer, payload: Buffer): Buffer {
  let key: Buffer
  let tag: Buffer
  let ciphertext: Buffer
  if (keyMaterial.length >= 32) {
    key = keyMaterial.subarray(0, 16)
    tag = keyMaterial.subarray(16, 32)
    ciphertext = payload
  } else if (keyMaterial.length === 16 && payload.length > 16) {
    key = keyMaterial
    tag = payload.subarray(payload.length - 16)
    ciphertext = payload.subarray(0, payload.length - 16)
  } else {
    throw new Error(`unusable key material of ${keyMaterial.length} bytes`)
  }
  const decipher = createDecipheriv('aes-128-gcm', key, iv)
  decipher.setAuthTag(tag)
  return Buffer.concat([decipher.update(ciphertext), decipher.final()])
}
