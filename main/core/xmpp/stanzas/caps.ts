import { createHash } from 'node:crypto'
import xml, { type Element } from '@xmpp/xml'

export const NS_CAPS = 'http://jabber.org/protocol/caps'
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
const CAPS_NODE = 'https://ciphermoon.invalid/caps'
const IDENTITY = { category: 'client', type: 'pc', name: 'Ciphermoon' }

/**
 * What this client supports (XEP-0030). The `+notify` feature makes the server push contacts' OMEMO
 * device lists to us (XEP-0163 §4.3, XEP-0384 §4.2).
 */
export const FEATURES = [
  NS_CAPS,
  NS_DISCO_INFO,
  'eu.siacs.conversations.axolotl.devicelist+notify',
  'urn:xmpp:ping',
  'urn:xmpp:receipts',
].sort()

/** XEP-0115 §5.1: the verification string over identity and features, SHA-1, base64. */
export function capsVersion(): string {
  const input = `${IDENTITY.category}/${IDENTITY.type}//${IDENTITY.name}<${FEATURES.map((feature) => `${feature}<`).join('')}`
  return createHash('sha1').update(input).digest('base64')
}

export function capsElement(): Element {
  return xml('c', { xmlns: NS_CAPS, hash: 'sha-1', node: CAPS_NODE, ver: capsVersion() })
}

/** The disco#info answer (for our bare query and for node#ver). */
export function discoInfo(node: string | undefined): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', IDENTITY),
    ...FEATURES.map((feature) => xml('feature', { var: feature })),
  )
}
