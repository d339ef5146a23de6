import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/** XEP-0384 §4.5 payload: AES-128-GCM under a fresh key and 12-byte IV; the key material is key ‖ tag (32 bytes). */
export const BODY = Buffer.from('Benchmarks are like sausages: it is best not to see them being made. — a ~100-byte chat message.')

export interface Sealed {
  keyAndTag: Buffer
  iv: Buffer
  payload: Buffer
}

export function seal(body: Buffer): Sealed {
  const key = randomBytes(16)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-128-gcm', key, iv)
  const payload = Buffer.concat([cipher.update(body), cipher.final()])
  return { keyAndTag: Buffer.concat([key, cipher.getAuthTag()]), iv, payload }
}

export function open(keyAndTag: Buffer, iv: Buffer, payload: Buffer): Buffer {
  const decipher = createDecipheriv('aes-128-gcm', keyAndTag.subarray(0, 16), iv)
  decipher.setAuthTag(keyAndTag.subarray(16, 32))
  return Buffer.concat([decipher.update(payload), decipher.final()])
}
