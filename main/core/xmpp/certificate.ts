import { X509Certificate } from 'node:crypto'
import type { CertificateDto } from '../../../preload/api.ts'

/** A server certificate as the user sees it, plus its PEM for pinning. */
export interface PresentedCertificate {
  dto: CertificateDto
  pem: string
}

export function describeCertificate(certificate: X509Certificate): PresentedCertificate {
  return {
    dto: {
      fingerprint: certificate.fingerprint256,
      subject: certificate.subject.replace(/\n/gu, ', '),
      issuer: certificate.issuer.replace(/\n/gu, ', '),
      validFrom: certificate.validFrom,
      validTo: certificate.validTo,
    },
    pem: certificate.toString(),
  }
}

/** OpenSSL verification results that mean "the chain or the name is not trusted" (not a network error). */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
])

export function isUntrustedCertificateError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return typeof code === 'string' && UNTRUSTED_CODES.has(code)
}
