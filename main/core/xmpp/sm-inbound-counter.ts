import type { EventEmitter } from 'node:events'
import type { Element } from '@xmpp/xml'
import { NS } from './stanzas/namespaces.ts'

/** The part of @xmpp/stream-management's state this fix touches. */
export interface InboundCounter {
  inbound: number
}

/**
 * XEP-0198 §4: the count of received stanzas ('h') "is set to zero and started after receiving either
 * <enable/> or <enabled/>". @xmpp/stream-management 0.14 resets it in the continuation of an `await` after
 * <enabled/>, not when <enabled/> is parsed; stanzas parsed in between (the rest of the same TCP read) land
 * on the wrong side of the reset. Seen against Prosody: the reply to an IQ sent while <enable/> was in
 * flight, then the server's <r/>, answered with an h that still counted a stanza from before <enabled/> —
 * Prosody closed the stream ("Client acknowledged more stanzas than sent by server") — and the late reset
 * then forgot the reply. This resets the count exactly when <enabled/> arrives (our 'nonza' listener runs
 * before the library's) and ignores the library's late reset that follows.
 */
export function resetInboundOnEnabled(entity: EventEmitter, counter: InboundCounter): void {
  let inbound = counter.inbound
  let lateResetExpected = false
  Object.defineProperty(counter, 'inbound', {
    configurable: true,
    enumerable: true,
    get: () => inbound,
    set: (value: number) => {
      if (value === 0 && lateResetExpected) {
        lateResetExpected = false
        return
      }
      inbound = value
    },
  })
  entity.on('nonza', (element: Element) => {
    if (!element.is('enabled', NS.streamManagement)) return
    inbound = 0
    lateResetExpected = true
  })
  entity.on('disconnect', () => {
    lateResetExpected = false
  })
}
