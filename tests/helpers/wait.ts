/**
 * Waiting helpers for tests. Synchronise on a condition or an event, never on elapsed time:
 * a bounded poll re-checks a condition until it holds or the deadline passes.
 */
import { setTimeout as delay } from 'node:timers/promises'

export interface WaitForOptions {
  timeoutMs: number
  /** What is being waited for; it is the subject of the timeout error. */
  description: string
  /** Pause between two checks of the condition. */
  intervalMs?: number
  /** Stops waiting early; the promise rejects with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Re-checks `condition` until it returns a truthy value and resolves with that value.
 * A falsy result or a thrown error means "not yet"; the last error is quoted if the deadline passes.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs, description, intervalMs = 50, signal }: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    signal?.throwIfAborted()
    try {
      const value = await condition()
      if (value) return value
    } catch (error) {
      lastError = error
    }
    const remainingMs = deadline - Date.now()
    if (remainingMs <= 0) break
    await delay(Math.min(intervalMs, remainingMs), undefined, { signal })
  }
  const cause = lastError === undefined ? '' : `; last error: ${describeError(lastError)}`
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`, { cause: lastError })
}

/** The envelope shape of the core's event stream (preload/api.ts EventEnvelope). */
export interface EventEnvelopeLike {
  event: string
  payload: unknown
}

export type Subscribe<E extends EventEnvelopeLike> = (listener: (envelope: E) => void) => () => void

/**
 * Resolves with the first envelope emitted after the call that satisfies `predicate`
 * (unsubscribes either way). Subscribe BEFORE triggering the action whose event you expect.
 */
export function nextEvent<E extends EventEnvelopeLike>(
  subscribe: Subscribe<E>,
  predicate: (envelope: E) => boolean,
  timeoutMs: number,
): Promise<E> {
  return new Promise<E>((resolve, reject) => {
    const seenEvents: string[] = []
    let settled = false
    const subscription: { unsubscribe?: () => void } = {}
    const settle = (finish: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      subscription.unsubscribe?.()
      finish()
    }
    const timer = setTimeout(() => {
      const seen = seenEvents.length === 0 ? 'none' : seenEvents.join(', ')
      settle(() => reject(new Error(`No matching event within ${timeoutMs} ms (events seen: ${seen})`)))
    }, timeoutMs)
    const unsubscribe = subscribe((envelope) => {
      if (settled) return
      seenEvents.push(envelope.event)
      try {
        if (predicate(envelope)) settle(() => resolve(envelope))
      } catch (error) {
        settle(() => reject(error instanceof Error ? error : new Error(describeError(error))))
      }
    })
    subscription.unsubscribe = unsubscribe
    // A subscription that replayed a matching event synchronously settled before `unsubscribe` existed.
    if (settled) unsubscribe()
  })
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
