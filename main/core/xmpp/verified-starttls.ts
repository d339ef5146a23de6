import net from 'node:net'
import tls from 'node:tls'
import { X509Certificate } from 'node:crypto'
import type { Client } from '@xmpp/client-core'
import type { StreamFeatures } from '@xmpp/stream-features'
import xml from '@xmpp/xml'
import { promise } from '@xmpp/events'
import TlsSocket from '@xmpp/tls/lib/Socket.js'

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls'

export interface TlsTrust {
  /** Extra trust anchors (PEM) besides the system roots: a test CA, an enterprise CA. */
  extraCaCertificates: readonly string[]
  /** A certificate the user explicitly pinned for this account (PEM), trusted as is. */
  pinnedCertificate: string | null
}

/**
 * STARTTLS (RFC 6120 §5) with full certificate verification: the chain must lead to a system root,
 * a configured CA or the account's pinned certificate, and the name must match the domain.
 * Verification is never switched off. The certificate the server presented is reported through
 * `onPresented` during the handshake (from the OCSP status callback, which runs once the server's
 * Certificate message is in), so that a rejected certificate can be shown to the user to pin.
 */
export function verifiedStartTls(
  streamFeatures: StreamFeatures,
  trust: TlsTrust,
  onPresented: (certificate: X509Certificate) => void,
): void {
  streamFeatures.use('starttls', NS_TLS, async ({ entity }, next) => {
    // @xmpp/connection-tcp's socket is a plain net.Socket until it is upgraded.
    const rawSocket = entity.socket as unknown
    if (!(rawSocket instanceof net.Socket) || rawSocket instanceof tls.TLSSocket) return next()

    const answer = await entity.sendReceive(xml('starttls', { xmlns: NS_TLS }))
    if (!answer.is('proceed', NS_TLS)) throw new Error('The server refused STARTTLS')

    const domain = (entity as Client).options.domain ?? ''
    const anchors = [...tls.rootCertificates, ...trust.extraCaCertificates]
    if (trust.pinnedCertificate) anchors.push(trust.pinnedCertificate)
    // XMPP is request/response in small stanzas: with Nagle's algorithm a request written while an earlier
    // small write (an XEP-0198 ack, say) is unacknowledged waits for the server's delayed ACK (~40 ms on
    // Linux), e.g. on every archive page. Send at once.
    rawSocket.setNoDelay(true)
    const tlsSocket = tls.connect({
      socket: rawSocket,
      servername: domain,
      host: domain,
      ca: anchors,
      // A pinned leaf certificate is a trust anchor of its own, without its issuer.
      allowPartialTrustChain: trust.pinnedCertificate !== null,
      requestOCSP: true,
      minVersion: 'TLSv1.2',
    })
    tlsSocket.once('OCSPResponse', () => {
      // Only the raw DER here: getPeerX509Certificate() at this point of the handshake makes Node's
      // later host name check fail on a valid certificate (seen with Node 24).
      const raw = tlsSocket.getPeerCertificate().raw
      if (raw) onPresented(new X509Certificate(raw))
    })
    const wrapped = new TlsSocket()
    wrapped._attachSocket(tlsSocket)
    await promise(wrapped, 'connect')
    entity._attachSocket(wrapped)
    await entity.restart()
  })
}
