import type { EventEmitter } from 'node:events'

export const LOGIN_TIMEOUT_MS = 30_000

/**
 * Resolves when the stream is ready: 'online' after a fresh login (resource bound), 'resumed' after
 * XEP-0198 resumption. Rejects on the first error, on a disconnect before that, or after a timeout.
 */
export function waitUntilOnline(
  entity: EventEmitter,
  streamManagement: EventEmitter,
  timeoutMs = LOGIN_TIMEOUT_MS,
): Promise<'online' | 'resumed'> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer)
      entity.off('online', onOnline)
      entity.off('error', onError)
      entity.off('disconnect', onDisconnect)
      streamManagement.off('resumed', onResumed)
    }
    const onOnline = () => {
      cleanup()
      resolve('online')
    }
    const onResumed = () => {
      cleanup()
      resolve('resumed')
    }
    const onError = (error: unknown) => {
      cleanup()
      reject(error)
    }
    const onDisconnect = () => onError(new Error('The server closed the connection during login'))
    const timer = setTimeout(() => onError(new LoginTimeoutError(timeoutMs)), timeoutMs)
    entity.on('online', onOnline)
    entity.on('error', onError)
    entity.on('disconnect', onDisconnect)
    streamManagement.on('resumed', onResumed)
  })
}

/** The server did not finish the login in time (it accepted the connection, or it never answered at all). */
export class LoginTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`The server did not complete the login within ${Math.round(timeoutMs / 1000)} s`)
    this.name = 'LoginTimeoutError'
  }
}
