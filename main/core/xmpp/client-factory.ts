import type { X509Certificate } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { Client } from '@xmpp/client-core'
import jid from '@xmpp/jid'
import tcp from '@xmpp/tcp'
import middlewareFactory from '@xmpp/middleware'
import streamFeaturesFactory from '@xmpp/stream-features'
import iqCallerFactory from '@xmpp/iq/caller.js'
import iqCalleeFactory from '@xmpp/iq/callee.js'
import sasl2Factory from '@xmpp/sasl2'
import saslFactoryModule from '@xmpp/sasl'
import bind2Factory from '@xmpp/client-core/src/bind2/bind2.js'
import resourceBindingFactory from '@xmpp/resource-binding'
import streamManagementFactory from '@xmpp/stream-management'
import scramSha1 from '@xmpp/sasl-scram-sha-1'
import plain from '@xmpp/sasl-plain'
import SASLFactory from 'saslmechanisms'
import xml, { Element } from '@xmpp/xml'
import { CoreError } from '../errors.ts'
import { NS } from './stanzas/namespaces.ts'
import { resetInboundOnEnabled } from './sm-inbound-counter.ts'
import { createIqRequester } from './iq-requester.ts'
import { verifiedStartTls, type TlsTrust } from './verified-starttls.ts'
import { hardenStream, type StreamProblems } from './hardened-stream.ts'
import type { Endpoint } from './endpoint.ts'

export interface ClientParams {
  bareJid: string
  password: string
  resource: string
  endpoint: Endpoint
  trust: TlsTrust
  onPresentedCertificate: (certificate: X509Certificate) => void
  /** XEP-0198 on (default). Test tools that inject raw stanzas turn it off. */
  streamManagement?: boolean
  /** Where cut stanzas and contained errors are reported (default: the log). */
  streamProblems?: StreamProblems
}

export type XmppClient = ReturnType<typeof createXmppClient>

/**
 * An xmpp.js client composed like @xmpp/client's own, except that STARTTLS verifies against the
 * account's trust settings (see verified-starttls.ts), authentication is refused on an unencrypted
 * stream, and there is no WebSocket transport or anonymous login.
 */
export function createXmppClient(params: ClientParams) {
  const address = jid(params.bareJid)
  const host = params.endpoint.host.includes(':') ? `[${params.endpoint.host}]` : params.endpoint.host
  const entity = new Client({ service: `xmpp://${host}:${params.endpoint.port}`, domain: address.domain })
  entity.jid = jid(address.local, address.domain)
  hardenStream(
    entity,
    params.streamProblems ?? {
      onOversized: (stanza) => console.warn(`[${params.bareJid}] a ${stanza.name} from ${stanza.attrs.from ?? 'the server'} was over the size limits; its content was dropped`),
      onContained: (error) => console.warn(`[${params.bareJid}] error while handling input (contained):`, (error as Error | null)?.message ?? error),
    },
  )

  tcp({ entity })
  const middleware = middlewareFactory({ entity })
  // RFC 6120 §8.3.1: an error reply MAY include the original XML, but MUST NOT where that is harmful (e.g. exceeds a
  // size limit). xmpp.js's IQ callee echoes the request's payload in every error it returns: a request near the
  // server's stanza size limit, echoed with the error added, goes over it, and the server closes our stream (a
  // contact could keep us offline that way). Registered first, this sends IQ errors with the <error/> alone.
  middleware.use(async (_context, next) => {
    const reply = await next()
    if (reply instanceof Element && reply.is('iq') && reply.attrs.type === 'error') reply.children = reply.getChildren('error')
    return reply
  })
  const streamFeatures = streamFeaturesFactory({ middleware })
  const iqCaller = iqCallerFactory({ middleware, entity })
  const iqCallee = iqCalleeFactory({ middleware, entity })

  const saslFactory = new SASLFactory()
  scramSha1(saslFactory)
  plain(saslFactory)

  verifiedStartTls(streamFeatures, params.trust, params.onPresentedCertificate)

  const credentials = { username: address.local, password: params.password }
  const onAuthenticate = async (
    authenticate: (credentials: unknown, mechanism: string, userAgent?: unknown) => Promise<void>,
    mechanisms: string[],
    _fast: unknown,
    authEntity: Client,
  ) => {
    // Never send credentials over an unencrypted stream (RFC 6120 §5.3.1: TLS before SASL).
    if (!authEntity.isSecure()) throw new CoreError('tls-required', 'The server does not offer TLS; refusing to send the password')
    const mechanism = mechanisms.find((name) => name === 'SCRAM-SHA-1') ?? mechanisms[0]
    if (!mechanism) throw new CoreError('auth-failed', 'The server offers no login method this app supports')
    await authenticate(credentials, mechanism)
  }

  const sasl2 = sasl2Factory({ streamFeatures, saslFactory }, onAuthenticate)
  sasl2.setup({})
  const bind2 = bind2Factory({ sasl2, entity }, params.resource)
  saslFactoryModule({ streamFeatures, saslFactory }, onAuthenticate)
  const sm = params.streamManagement === false ? null : streamManagementFactory({ streamFeatures, entity, middleware, bind2, sasl2 })
  if (sm) resetInboundOnEnabled(entity, sm)
  const streamManagement: EventEmitter = sm ?? new EventEmitter()
  /** XEP-0198 §4: "Either party MAY send an <a/> element at any time"; h counts the stanzas received. */
  const acknowledgeStanzas = (): void => {
    if (sm?.enabled) entity.send(xml('a', { xmlns: NS.streamManagement, h: String(sm.inbound) })).catch(() => undefined)
  }
  resourceBindingFactory({ iqCaller, streamFeatures }, params.resource)

  // XEP-0199: answer pings.
  iqCallee.get('urn:xmpp:ping', 'ping', () => ({}))

  const request = createIqRequester(entity, params.bareJid)
  return { entity, middleware, request, iqCallee, streamManagement, acknowledgeStanzas }
}
