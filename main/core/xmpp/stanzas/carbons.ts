import xml, { type Element } from '@xmpp/xml'
import { NS } from './namespaces.ts'

export type CarbonUnwrap =
  | { kind: 'none' }
  | { kind: 'forged'; from: string }
  | { kind: 'malformed' }
  | { kind: 'sent' | 'received'; message: Element }

export const enableCarbons = () => xml('iq', { type: 'set' }, xml('enable', { xmlns: NS.carbons }))

/**
 * XEP-0280 §11 (Security Considerations): a carbon is genuine only if the wrapping message comes from
 * our own bare JID. Anything else is a forgery (CVE-2017-5589) and must be ignored.
 */
export function unwrapCarbon(message: Element, ownBareJid: string): CarbonUnwrap {
  const wrapper = message.getChild('sent', NS.carbons) ?? message.getChild('received', NS.carbons)
  if (!wrapper) return { kind: 'none' }
  const outerFrom = message.attrs.from
  if (outerFrom === undefined || outerFrom.toLowerCase() !== ownBareJid) return { kind: 'forged', from: String(outerFrom) }
  const inner = wrapper.getChild('forwarded', NS.forward)?.getChild('message')
  if (!inner) return { kind: 'malformed' }
  return { kind: wrapper.name === 'sent' ? 'sent' : 'received', message: inner }
}

