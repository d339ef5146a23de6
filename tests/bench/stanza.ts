import xml, { type Element } from '@xmpp/xml'

/** XEP-0384 v0.3 (legacy namespace) MessageElement, as main/core/omemo will build it (§4.5). */
export const OMEMO_LEGACY_NS = 'eu.siacs.conversations.axolotl'

export interface KeyElement {
  rid: number
  prekey: boolean
  base64: string
}

export function buildEncryptedElement(sid: number, keys: KeyElement[], iv: Buffer, payload: Buffer): Element {
  return xml(
    'encrypted',
    { xmlns: OMEMO_LEGACY_NS },
    xml(
      'header',
      { sid: String(sid) },
      ...keys.map((key) => xml('key', { rid: String(key.rid), prekey: key.prekey ? 'true' : undefined }, key.base64)),
      xml('iv', {}, iv.toString('base64')),
    ),
    xml('payload', {}, payload.toString('base64')),
  )
}
