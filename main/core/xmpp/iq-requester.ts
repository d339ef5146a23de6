import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import type { Element } from '@xmpp/xml'
import { bareJid } from './jid.ts'

/** An IQ error reply (RFC 6120 §8.3), with its defined condition (item-not-found, forbidden, …). */
export class IqError extends Error {
  readonly condition: string
  readonly element: Element | undefined
  constructor(condition: string, element: Element | undefined) {
    super(`IQ error: ${condition}`)
    this.name = 'StanzaError'
    this.condition = condition
    this.element = element
  }
}

/** No answer within the request's time limit: the other side (or its server) is slow or gone. */
export class IqTimeoutError extends Error {
  constructor(requestName: string, timeoutMs: number) {
    super(`No answer to the ${requestName} request within ${timeoutMs} ms`)
    this.name = 'IqTimeoutError'
  }
}

interface Pending {
  expectedFrom: string | undefined
  resolve: (result: Element) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/**
 * IQ request/response matching (RFC 6120 §8.2.3). Replaces xmpp.js's iq caller, which can reject a
 * promise before anyone listens (an unhandled rejection when the reply beats the write callback). The
 * reply must come from the entity the request was sent to (our own account when `to` is absent).
 */
export function createIqRequester(entity: EventEmitter & { send(element: Element): Promise<void> }, ownBareJid: string) {
  const pending = new Map<string, Pending>()
  const domain = ownBareJid.slice(ownBareJid.indexOf('@') + 1)

  entity.on('stanza', (stanza: Element) => {
    if (!stanza.is('iq') || (stanza.attrs.type !== 'result' && stanza.attrs.type !== 'error')) return
    const request = pending.get(stanza.attrs.id ?? '')
    if (!request) return
    const from = stanza.attrs.from?.toLowerCase()
    const fromOwnAccount = from === undefined || from === ownBareJid || from === domain || bareJid(from) === ownBareJid
    // A reply from our own account may carry no from (RFC 6120 §8.1.2.1); anyone else must be the addressee.
    const addressedOwnAccount = request.expectedFrom === undefined || request.expectedFrom === ownBareJid
    if (addressedOwnAccount ? !fromOwnAccount : from !== request.expectedFrom) return
    pending.delete(stanza.attrs.id!)
    clearTimeout(request.timer)
    if (stanza.attrs.type === 'result') request.resolve(stanza)
    else {
      const error = stanza.getChild('error')
      const condition = error?.getChildElements().find((child) => child.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas')?.name ?? 'undefined-condition'
      request.reject(new IqError(condition, error))
    }
  })
  entity.on('disconnect', () => {
    for (const [id, request] of pending) {
      clearTimeout(request.timer)
      request.reject(new Error('Disconnected before the server answered'))
      pending.delete(id)
    }
  })

  return function request(iq: Element, timeoutMs = 30_000): Promise<Element> {
    const id = iq.attrs.id ?? randomUUID()
    iq.attrs.id = id
    const answered = new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new IqTimeoutError(iq.getChildElements()[0]?.name ?? 'IQ', timeoutMs))
      }, timeoutMs)
      pending.set(id, { expectedFrom: iq.attrs.to?.toLowerCase(), resolve, reject, timer })
    })
    // The reply can arrive before send() resolves (its write callback); the caller sees it through the
    // chain below, so an early rejection must not count as unhandled meanwhile.
    answered.catch(() => undefined)
    return entity.send(iq).then(
      () => answered,
      (error: unknown) => {
        const request = pending.get(id)
        if (request) clearTimeout(request.timer)
        pending.delete(id)
        throw error
      },
    )
  }
}
