import type { Core } from '../core/core-types.ts'

/**
 * Calls `ready` whenever the core's database becomes open (at once if it already is: a keychain key
 * opens it inside createCore, before anyone subscribed) and `locked` when it closes again. Only
 * transitions are reported. Returns a function that stops watching.
 */
export function watchCorePhase(core: Pick<Core, 'subscribe' | 'request'>, handlers: { ready(): void; locked?(): void }): () => void {
  let phase: 'locked' | 'ready' | null = null
  let stopped = false
  // app:changed events seen so far: an app:state answer older than one of them is stale.
  let changes = 0

  const enter = (next: 'locked' | 'ready'): void => {
    if (stopped || next === phase) return
    phase = next
    if (next === 'ready') handlers.ready()
    else handlers.locked?.()
  }

  const unsubscribe = core.subscribe((envelope) => {
    if (envelope.event !== 'app:changed') return
    changes += 1
    enter(envelope.payload.phase)
  })
  const changesBeforeAsking = changes
  core.request('app:state', {}).then(
    (state) => {
      if (changes === changesBeforeAsking) enter(state.phase)
    },
    (error: unknown) => console.warn('[shell] could not read the app state:', error),
  )
  return () => {
    stopped = true
    unsubscribe()
  }
}
