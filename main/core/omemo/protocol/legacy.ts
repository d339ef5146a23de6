/**
 * The OMEMO 0.3 wire profile (XEP-0384 v0.3.0, namespace eu.siacs.conversations.axolotl). Everything
 * that depends on the protocol version lives here, so OMEMO 2 (urn:xmpp:omemo:2) can be a sibling file.
 * Parsers never throw: they return null (or skip the bad part) for malformed input.
 */
import xml, { type Element } from '@xmpp/xml'

export const NS_OMEMO = 'eu.siacs.conversations.axolotl'
/** XEP-0384 §4.2 */
export const DEVICE_LIST_NODE = `${NS_OMEMO}.devicelist`
/** XEP-0384 §4.3 */
export const bundleNode = (deviceId: number) => `${NS_OMEMO}.bundles:${deviceId}`
export const NS_EME = 'urn:xmpp:eme:0'
export const NS_HINTS = 'urn:xmpp:hints'

export const MAX_DEVICE_ID = 2 ** 31 - 1
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/u

export function isDeviceId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_DEVICE_ID
}

function parseDeviceId(text: string | undefined): number | null {
  if (!text || !/^\d{1,10}$/u.test(text)) return null
  const value = Number(text)
  return isDeviceId(value) ? value : null
}

/** Strict base64 (whitespace allowed, as some clients wrap lines). */
export function decodeBase64(text: string | null | undefined): Buffer | null {
  if (text === null || text === undefined) return null
  const compact = text.replace(/\s+/gu, '')
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return null
  return Buffer.from(compact, 'base64')
}

// ---- device list (§4.2) ---------------------------------------------------------------------

export function deviceListElement(deviceIds: readonly number[]): Element {
  return xml('list', { xmlns: NS_OMEMO }, ...deviceIds.map((id) => xml('device', { id: String(id) })))
}

/** The device ids in a `<list/>`; invalid entries are skipped, duplicates removed. */
export function parseDeviceList(list: Element | undefined): number[] {
  if (!list || !list.is('list', NS_OMEMO)) return []
  const ids = new Set<number>()
  for (const device of list.getChildren('device')) {
    const id = parseDeviceId(device.attrs.id)
    if (id !== null) ids.add(id)
  }
  return [...ids]
}

// ---- bundle (§4.3) --------------------------------------------------------------------------

export interface PublicPreKey {
  id: number
  publicKey: Buffer
}

export interface Bundle {
  signedPreKey: PublicPreKey & { signature: Buffer }
  identityKey: Buffer
  preKeys: PublicPreKey[]
}

const b64 = (data: Buffer) => data.toString('base64')

export function bundleElement(bundle: Bundle): Element {
  return xml(
    'bundle',
    { xmlns: NS_OMEMO },
    xml('signedPreKeyPublic', { signedPreKeyId: String(bundle.signedPreKey.id) }, b64(bundle.signedPreKey.publicKey)),
    xml('signedPreKeySignature', {}, b64(bundle.signedPreKey.signature)),
    xml('identityKey', {}, b64(bundle.identityKey)),
    xml('prekeys', {}, ...bundle.preKeys.map((key) => xml('preKeyPublic', { preKeyId: String(key.id) }, b64(key.publicKey)))),
  )
}

/** Libsignal public keys are 33 bytes: 0x05 followed by the 32-byte Curve25519 key. */
function isPublicKey(key: Buffer | null): key is Buffer {
  return key !== null && key.length === 33 && key[0] === 0x05
}

/** A bundle, or the reason it is unusable (XEP-0384 §4.3). Bad prekeys are dropped, not fatal. */
export function parseBundle(bundle: Element | undefined): Bundle | { invalid: string } {
  if (!bundle || !bundle.is('bundle', NS_OMEMO)) return { invalid: 'no <bundle/>' }
  const signed = bundle.getChild('signedPreKeyPublic')
  const signedId = parseDeviceId(signed?.attrs.signedPreKeyId) ?? (signed?.attrs.signedPreKeyId === '0' ? 0 : null)
  const signedKey = decodeBase64(signed?.text())
  const signature = decodeBase64(bundle.getChildText('signedPreKeySignature'))
  const identityKey = decodeBase64(bundle.getChildText('identityKey'))
  if (signedId === null || !isPublicKey(signedKey)) return { invalid: 'bad signed prekey' }
  if (!signature || signature.length !== 64) return { invalid: 'bad signed prekey signature' }
  if (!isPublicKey(identityKey)) return { invalid: 'bad identity key' }
  const preKeys: PublicPreKey[] = []
  for (const element of bundle.getChild('prekeys')?.getChildren('preKeyPublic') ?? []) {
    const id = parseDeviceId(element.attrs.preKeyId)
    const publicKey = decodeBase64(element.text())
    if (id !== null && isPublicKey(publicKey)) preKeys.push({ id, publicKey })
  }
  if (preKeys.length === 0) return { invalid: 'no prekeys' }
  return { signedPreKey: { id: signedId, publicKey: signedKey, signature }, identityKey, preKeys }
}

// ---- encrypted element (§4.5–4.7) -----------------------------------------------------------

export interface EncryptedKey {
  rid: number
  preKey: boolean
  data: Buffer
}

export interface Encrypted {
  sid: number
  keys: EncryptedKey[]
  iv: Buffer
  /** Absent for a KeyTransportElement (§4.6). */
  payload: Buffer | null
}

export function encryptedElement(encrypted: Encrypted): Element {
  return xml(
    'encrypted',
    { xmlns: NS_OMEMO },
    xml(
      'header',
      { sid: String(encrypted.sid) },
      ...encrypted.keys.map((key) => xml('key', { rid: String(key.rid), prekey: key.preKey ? 'true' : undefined }, b64(key.data))),
      xml('iv', {}, b64(encrypted.iv)),
    ),
    encrypted.payload ? xml('payload', {}, b64(encrypted.payload)) : null,
  )
}

/** Parses an <encrypted/>; null when the element is unusable as a whole (no sid, no iv, bad payload). */
export function parseEncrypted(element: Element | undefined): Encrypted | null {
  if (!element || !element.is('encrypted', NS_OMEMO)) return null
  const header = element.getChild('header')
  const sid = parseDeviceId(header?.attrs.sid)
  const iv = decodeBase64(header?.getChildText('iv'))
  if (!header || sid === null || !iv || (iv.length !== 12 && iv.length !== 16)) return null
  const payloadElement = element.getChild('payload')
  const payload = payloadElement ? decodeBase64(payloadElement.text()) : null
  if (payloadElement && (!payload || payload.length === 0)) return null
  const keys: EncryptedKey[] = []
  for (const key of header.getChildren('key')) {
    const rid = parseDeviceId(key.attrs.rid)
    const data = decodeBase64(key.text())
    if (rid === null || !data || data.length === 0) continue
    keys.push({ rid, preKey: key.attrs.prekey === 'true' || key.attrs.prekey === '1', data })
  }
  return { sid, keys, iv, payload }
}

/** XEP-0334 store hint, XEP-0380 EME, and a fallback body without the message text (smack's cleartext hint). */
export function messageDecorations(fallbackBody: string | null): Element[] {
  return [
    xml('store', { xmlns: NS_HINTS }),
    xml('encryption', { xmlns: NS_EME, namespace: NS_OMEMO, name: 'OMEMO' }),
    ...(fallbackBody ? [xml('body', {}, fallbackBody)] : []),
  ]
}

export const FALLBACK_BODY = 'This message is encrypted with OMEMO, which your client does not seem to support.'
