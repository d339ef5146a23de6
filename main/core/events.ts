import { EventEmitter } from 'node:events'
import type { EventEnvelope, EventName, EventPayloads } from '../../preload/api.ts'

/** The core's typed event bus. Every event goes out as one envelope to all subscribers. */
export class CoreEvents {
  readonly #emitter = new EventEmitter()

  constructor() {
    this.#emitter.setMaxListeners(100)
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    const envelope: EventEnvelope<E> = { event, payload }
    this.#emitter.emit('event', envelope)
  }

  subscribe(listener: (envelope: EventEnvelope) => void): () => void {
    this.#emitter.on('event', listener)
    return () => this.#emitter.off('event', listener)
  }
}
