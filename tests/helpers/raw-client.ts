/**
 * A bare XMPP client for tests that must put hand-made stanzas on the wire (forgeries, hostile
 * input): the core's own verified xmpp.js composition, without any of the core's processing.
 */
import type { Element } from '@xmpp/xml'
import xml from '@xmpp/xml'
import { waitUntilOnline } from '../../main/core/accounts/wait-until-online.ts'
import type { XmppLink } from '../../main/core/accounts/xmpp-link.ts'
import { createXmppClient } from '../../main/core/xmpp/client-factory.ts'
import type { ProsodyServer } from './prosody.ts'

export interface RawClient {
  send(element: Element): Promise<void>
  /** An IQ round trip; rejects on an error reply. */
  request(iq: Element): Promise<Element>
  /** The same, shaped as the core's XmppLink, to reuse the core's PEP helpers from tests. */
  link: XmppLink
  /** Every stanza received so far. */
  received: Element[]
  close(): Promise<void>
}

export async function connectRawClient(server: ProsodyServer, username: string, password: string): Promise<RawClient> {
  const { entity, middleware, streamManagement, request: requestIq } = createXmppClient({
    bareJid: server.jid(username),
    password,
    resource: `raw-${username}`,
    endpoint: { host: server.host, port: server.port },
    trust: { extraCaCertificates: [server.caPem], pinnedCertificate: null },
    onPresentedCertificate: () => undefined,
    // Without XEP-0198: a test tool needs no acks, and Prosody 0.12 rejected its counts while other
    // resources of the same account published ("Client acknowledged more stanzas than sent").
    streamManagement: false,
  })
  const received: Element[] = []
  middleware.use((ctx, next) => {
    received.push(ctx.stanza)
    return next()
  })
  entity.on('error', () => undefined)
  const online = waitUntilOnline(entity, streamManagement)
  await entity.connect(entity.options.service ?? '')
  await entity.open({ domain: entity.options.domain })
  await online
  await entity.send(xml('presence'))
  const request = (iq: Element) => requestIq(iq, 20_000)
  return {
    send: (element) => entity.send(element),
    request,
    link: {
      accountId: 0,
      ownBareJid: server.jid(username),
      isOnline: () => true,
      send: (element) => entity.send(element),
      request,
      acknowledgeStanzas: () => undefined, // this test client runs without XEP-0198
    },
    received,
    close: async () => {
      await entity.stop().catch(() => undefined)
    },
  }
}
