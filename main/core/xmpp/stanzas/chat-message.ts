import xml, { type Element } from '@xmpp/xml'
import { originIdElement } from './stanza-id.ts'
import { receiptRequest } from './receipts.ts'

/** A plain-text 1:1 message (RFC 6121 §5) with XEP-0359 origin-id and a XEP-0184 receipt request. */
export function chatMessage(to: string, id: string, body: string): Element {
  return xml('message', { to, type: 'chat', id }, xml('body', {}, body), originIdElement(id), receiptRequest())
}

/** An OMEMO message: the <encrypted/> element, hints and fallback body come from the OMEMO profile. */
export function encryptedChatMessage(to: string, id: string, omemoChildren: Element[]): Element {
  return xml('message', { to, type: 'chat', id }, ...omemoChildren, originIdElement(id), receiptRequest())
}

/** RFC 6121 §5.2.2: only chat and normal messages belong to 1:1 conversations. */
export function isOneToOne(message: Element): boolean {
  const type = message.attrs.type ?? 'normal'
  return type === 'chat' || type === 'normal'
}
