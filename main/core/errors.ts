import type { ApiError, CertificateDto, ErrorCode } from '../../preload/api.ts'

/** An error the core reports to the user as-is: a code the UI can act on and a clear message. */
export class CoreError extends Error {
  readonly code: ErrorCode
  /** tls-untrusted: the certificate the server presented (ApiError.certificate). */
  readonly certificate: CertificateDto | undefined

  constructor(code: ErrorCode, message: string, details: { certificate?: CertificateDto } = {}) {
    super(message)
    this.name = 'CoreError'
    this.code = code
    this.certificate = details.certificate
  }

  toDto(): ApiError {
    return this.certificate ? { code: this.code, message: this.message, certificate: this.certificate } : { code: this.code, message: this.message }
  }
}

export function isCoreError(error: unknown): error is CoreError {
  return error instanceof CoreError
}
