import type { Element } from '@xmpp/xml'

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
/** RFC 6120 §8.3.3: the defined conditions (anything else is reported as undefined-condition). */
const CONDITIONS = new Set([
  'bad-request', 'conflict', 'feature-not-implemented', 'forbidden', 'gone', 'internal-server-error', 'item-not-found',
  'jid-malformed', 'not-acceptable', 'not-allowed', 'not-authorized', 'policy-violation', 'recipient-unavailable',
  'redirect', 'registration-required', 'remote-server-not-found', 'remote-server-timeout', 'resource-constraint',
  'service-unavailable', 'subscription-required', 'undefined-condition', 'unexpected-request',
])

export interface MessageError {
  /** The id of the message that bounced (ours: the origin-id we sent it with). */
  id: string
  condition: string
}

/** RFC 6120 §8.3: a `<message type='error'/>` returned for one we sent, with its defined condition. */
export function parseMessageError(message: Element): MessageError | null {
  if (message.attrs.type !== 'error' || !message.attrs.id) return null
  const error = message.getChild('error')
  const named = error?.getChildElements().find((child) => child.attrs.xmlns === NS_STANZAS)?.name
  return { id: message.attrs.id, condition: named && CONDITIONS.has(named) ? named : 'undefined-condition' }
}
