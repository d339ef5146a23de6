import xml, { type Element } from '@xmpp/xml'
import { NS } from './namespaces.ts'

/**
 * XEP-0359 §3.1: a <stanza-id/> counts only if its `by` is the entity we trust to have set it (our own
 * archive, i.e. our bare JID); anyone else could have put it there to make us drop a message as a duplicate.
 */
export function trustedStanzaId(message: Element, trustedBy: string): string | null {
  for (const child of message.getChildren('stanza-id', NS.stanzaId)) {
    if (child.attrs.by?.toLowerCase() === trustedBy && child.attrs.id) return child.attrs.id
  }
  return null
}

/**
 * XEP-0359 §3.2: the id the sending client chose. An empty id identifies nothing: it is no id (the duplicate check
 * skips it, so storing it would make the second message with one break the unique index and be lost).
 */
export function originId(message: Element): string | null {
  return message.getChild('origin-id', NS.stanzaId)?.attrs.id || null
}

export function originIdElement(id: string): Element {
  return xml('origin-id', { xmlns: NS.stanzaId, id })
}
