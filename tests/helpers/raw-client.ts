/**
 * A bare XMPP client for tests that must put hand-made stanzas on the wire (forgeries, hostile
 * input): the core's own verified xmpp.js composition, without any of the core's processing.
 */
import type { Element } from '@xmpp/xml'
import xml from '@xmpp/xml'
import { waitUntilOnline } from '../../main/core/accounts/wait-until-online.ts'
import { createXmppClient } from '../../main/core/xmpp/client-factory.ts'
import type { ProsodyServer } from './prosody.ts'

export interface RawClient {
  send(element: Element): Promise<void>
  /** Every stanza received so far. */
  received: Element[]
  close(): Promise<void>
}

export async function connectRawClient(server: ProsodyServer, username: string, password: string): Promise<RawClient> {
  const { entity, middleware, streamManagement } = createXmppClient({
    bareJid: server.jid(username),
    password,
    resource: `raw-${username}`,
    endpoint: { host: server.host, port: server.port },
    trust: { extraCaCertificates: [server.caPem], pinnedCertificate: null },
    onPresentedCertificate: () => undefined,
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
  return {
    send: (element) => entity.send(element),
    received,
    close: async () => {
      await entity.stop().catch(() => undefined)
    },
  }
}
