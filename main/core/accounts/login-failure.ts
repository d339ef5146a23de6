import { CoreError } from '../errors.ts'
import { isUntrustedCertificateError, type PresentedCertificate } from '../xmpp/certificate.ts'
import { StreamParseError } from '../xmpp/stream-parser.ts'

export interface LoginFailure {
  error: CoreError
  /** Trying again will fail the same way until the user acts (password, certificate, server without TLS). */
  final: boolean
  /** tls-untrusted: the certificate the server presented, for the user to compare and maybe pin. */
  untrusted: PresentedCertificate | null
}

/**
 * What a failed login means, as a code (the renderer words it): auth-failed (RFC 6120 §6.5 SASL failure),
 * tls-untrusted (with the certificate), tls-required (RFC 6120 §5.3.1: no TLS, no password), or network
 * (unreachable, refused, timed out, closed) which is worth retrying by itself.
 */
export function classifyLoginFailure(error: unknown, jid: string, presented: PresentedCertificate | null): LoginFailure {
  if (error instanceof CoreError && (error.code === 'tls-required' || error.code === 'auth-failed' || error.code === 'not-found')) {
    return { error, final: true, untrusted: null }
  }
  if ((error as Error | null)?.name === 'SASLError') {
    const condition = (error as { condition?: string }).condition ?? 'not-authorized'
    return {
      error: new CoreError('auth-failed', `The server rejected the login for ${jid}: wrong address or password (${condition})`),
      final: true,
      untrusted: null,
    }
  }
  if (isUntrustedCertificateError(error)) {
    const reason = (error as { code?: string }).code
    const message = `The server's certificate is not trusted (${reason}). Compare its fingerprint before trusting it.`
    return { error: new CoreError('tls-untrusted', message, presented ? { certificate: presented.dto } : {}), final: true, untrusted: presented }
  }
  if (error instanceof StreamParseError) {
    // RFC 6120 §4.9.3: we closed the stream with this condition. Maybe a passing fault: retried with backoff.
    return { error: new CoreError('protocol-violation', `The server sent invalid XMPP (${error.condition}): ${error.message}`), final: false, untrusted: null }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { error: new CoreError('network', `Cannot reach the server: ${message}`), final: false, untrusted: null }
}
