import xml, { type Element } from '@xmpp/xml'
import { NS } from './namespaces.ts'

/** XEP-0184 §4: the id a delivery receipt confirms, or null. */
export function receiptFor(message: Element): string | null {
  return message.getChild('received', NS.receipts)?.attrs.id ?? null
}

/** XEP-0184 §4: the sender asks for a receipt (only meaningful with an id). */
export function wantsReceipt(message: Element): boolean {
  return Boolean(message.attrs.id) && message.getChild('request', NS.receipts) !== undefined
}

export function receiptRequest(): Element {
  return xml('request', { xmlns: NS.receipts })
}

/** XEP-0184 §4: the receipt carries the id of the message it confirms; store hint so it is archived with it. */
export function receipt(to: string, confirmedId: string, id: string): Element {
  return xml('message', { to, id }, xml('received', { xmlns: NS.receipts, id: confirmedId }), xml('store', { xmlns: NS.hints }))
}
