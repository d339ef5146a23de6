import type { X509Certificate } from 'node:crypto'
import { describeCertificate, type PresentedCertificate } from '../xmpp/certificate.ts'
import { createXmppClient, type XmppClient } from '../xmpp/client-factory.ts'
import { resolveEndpoint } from '../xmpp/endpoint.ts'

/** What a connection of an account needs: its address, password, resource and server, and its pin. */
export interface ConnectionSettings {
  jid: string
  password: string
  resource: string
  host: string | null
  port: number | null
  /** The certificate the user pinned for this account (PEM), or null. */
  pinnedCertificatePem: string | null
}

export interface AccountClient {
  client: XmppClient
  /** The certificate the server presented in the last TLS handshake (also when it was not trusted). */
  presented(): PresentedCertificate | null
}

/**
 * An xmpp.js client for these settings: the server from the host/port override or DNS (RFC 6120 §3.2), TLS
 * verified against the system roots, the configured extra CAs and the account's pin (verified-starttls.ts).
 * The running session and the login check before saving both connect through here, with the same trust.
 */
export async function createAccountClient(
  settings: ConnectionSettings,
  options: { extraCaCertificates: readonly string[]; streamManagement?: boolean },
): Promise<AccountClient> {
  const domain = settings.jid.split('@')[1] ?? ''
  const endpoint = await resolveEndpoint(domain, { host: settings.host, port: settings.port })
  let presented: PresentedCertificate | null = null
  const client = createXmppClient({
    bareJid: settings.jid,
    password: settings.password,
    resource: settings.resource,
    endpoint,
    trust: { extraCaCertificates: options.extraCaCertificates, pinnedCertificate: settings.pinnedCertificatePem },
    onPresentedCertificate: (certificate: X509Certificate) => (presented = describeCertificate(certificate)),
    ...(options.streamManagement === false ? { streamManagement: false } : {}),
  })
  return { client, presented: () => presented }
}
