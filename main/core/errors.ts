import type { ApiError, ErrorCode } from '../../preload/api.ts'

/** An error the core reports to the user as-is: a code the UI can act on and a clear message. */
export class CoreError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'CoreError'
    this.code = code
  }

  toDto(): ApiError {
    return { code: this.code, message: this.message }
  }
}

export function isCoreError(error: unknown): error is CoreError {
  return error instanceof CoreError
}
