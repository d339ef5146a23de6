import xml, { type Element } from '@xmpp/xml'
import type { XmppLink } from '../accounts/xmpp-link.ts'

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub'
const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner'
const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event'

function form(formType: string, fields: Record<string, string>): Element {
  return xml(
    'x',
    { xmlns: 'jabber:x:data', type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formType)),
    ...Object.entries(fields).map(([name, value]) => xml('field', { var: name }, xml('value', {}, value))),
  )
}

/** Device lists and bundles come from the contact's server: a slow one must not hold up a send for long. */
export const PEP_FETCH_TIMEOUT_MS = 10_000

const conditionOf = (error: unknown) => (error as { condition?: string } | null)?.condition

/**
 * XEP-0163 publish with XEP-0060 §7.1.5 publish-options access_model=open, so contacts without a
 * presence subscription can read it (PROTOCOL-NOTES.md). If the node exists with another access model
 * (precondition-not-met), reconfigure it to open and publish again.
 */
export async function publishOpen(link: XmppLink, node: string, payload: Element): Promise<void> {
  const publish = () =>
    link.request(
      xml(
        'iq',
        { type: 'set' },
        xml(
          'pubsub',
          { xmlns: NS_PUBSUB },
          xml('publish', { node }, xml('item', { id: 'current' }, payload)),
          xml('publish-options', {}, form(`${NS_PUBSUB}#publish-options`, { 'pubsub#access_model': 'open' })),
        ),
      ),
    )
  try {
    await publish()
  } catch (error) {
    if (conditionOf(error) !== 'precondition-not-met') throw error
    await link.request(
      xml(
        'iq',
        { type: 'set' },
        xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('configure', { node }, form(`${NS_PUBSUB}#node_config`, { 'pubsub#access_model': 'open' }))),
      ),
    )
    await publish()
  }
}

/**
 * The payload of item `current` (or the only item) of a PEP node, or null if the node or item does
 * not exist (Prosody answers item-not-found without the legacy code="404", PROTOCOL-NOTES.md).
 */
export async function fetchItem(link: XmppLink, owner: string, node: string, timeoutMs = PEP_FETCH_TIMEOUT_MS): Promise<Element | null> {
  try {
    const result = await link.request(xml('iq', { type: 'get', to: owner }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node, max_items: '1' }))), timeoutMs)
    const items = result.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChildren('item') ?? []
    const item = items.find((candidate) => candidate.attrs.id === 'current') ?? items[0]
    return item?.getChildElements()[0] ?? null
  } catch (error) {
    if (conditionOf(error) === 'item-not-found') return null
    throw error
  }
}

/** A PEP notification (XEP-0163 §4.3): the payload of the first published item of `node`, or null. */
export function notificationPayload(message: Element, node: string): Element | null | undefined {
  const items = message.getChild('event', NS_PUBSUB_EVENT)?.getChild('items')
  if (!items || items.attrs.node !== node) return undefined
  const item = items.getChildren('item')[0]
  return item?.getChildElements()[0] ?? null
}
