import type { EventEmitter } from 'node:events'

const LOGIN_TIMEOUT_MS = 30_000

/**
 * Resolves when the stream is ready: 'online' after a fresh login (resource bound), 'resumed' after
 * XEP-0198 resumption. Rejects on the first error, on a disconnect before that, or after a timeout.
 */
export function waitUntilOnline(entity: EventEmitter, streamManagement: EventEmitter): Promise<'online' | 'resumed'> {
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
    const timer = setTimeout(() => onError(new Error('Login timed out')), LOGIN_TIMEOUT_MS)
    entity.on('online', onOnline)
    entity.on('error', onError)
    entity.on('disconnect', onDisconnect)
    streamManagement.on('resumed', onResumed)
  })
}
