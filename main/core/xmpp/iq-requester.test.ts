import { EventEmitter } from 'node:events'
import xml, { type Element } from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { createIqRequester, IqError } from './iq-requester.ts'

/** A socketless entity: records what is sent, lets the test deliver replies (as a pipeline stage test). */
function fakeEntity() {
  const entity = Object.assign(new EventEmitter(), {
    sent: [] as Element[],
    async send(element: Element) {
      entity.sent.push(element)
    },
  })
  return entity
}

const OWN = 'alice@example.org'

describe('IQ requests (RFC 6120 §8.2.3)', () => {
  it('matches the reply by id and by sender; ignores spoofed replies', async () => {
    const entity = fakeEntity()
    const request = createIqRequester(entity, OWN)
    const pending = request(xml('iq', { type: 'get', to: 'bob@example.org' }, xml('query', { xmlns: 'x' })))
    await Promise.resolve()
    const id = entity.sent[0]!.attrs.id!
    entity.emit('stanza', xml('iq', { type: 'result', id, from: 'mallory@example.org' }, xml('spoofed')))
    entity.emit('stanza', xml('iq', { type: 'result', id }, xml('spoofed')))
    entity.emit('stanza', xml('iq', { type: 'result', id, from: 'bob@example.org' }, xml('real')))
    expect((await pending).getChild('real')).toBeDefined()
  })

  it('accepts replies from our own account without a from, and turns error replies into IqError', async () => {
    const entity = fakeEntity()
    const request = createIqRequester(entity, OWN)
    const own = request(xml('iq', { type: 'get', to: OWN }))
    const server = request(xml('iq', { type: 'get' }))
    await Promise.resolve()
    entity.emit('stanza', xml('iq', { type: 'error', id: entity.sent[0]!.attrs.id }, xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))))
    entity.emit('stanza', xml('iq', { type: 'result', id: entity.sent[1]!.attrs.id, from: 'example.org' }))
    await expect(own).rejects.toMatchObject({ name: 'StanzaError', condition: 'item-not-found' })
    await expect(own).rejects.toBeInstanceOf(IqError)
    expect((await server).attrs.type).toBe('result')
  })

  it('rejects pending requests on disconnect and on timeout', async () => {
    const entity = fakeEntity()
    const request = createIqRequester(entity, OWN)
    const dropped = request(xml('iq', { type: 'get' }))
    const slow = request(xml('iq', { type: 'get' }, xml('query')), 1)
    entity.emit('disconnect')
    await expect(dropped).rejects.toThrow(/Disconnected/u)
    await expect(slow).rejects.toThrow(/Disconnected|within 1 ms/u)
  })

  it('an error reply that arrives before the write callback is delivered to the caller, not left unhandled', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      let finishWrite = () => {}
      const entity = Object.assign(new EventEmitter(), {
        sent: [] as Element[],
        send(element: Element) {
          entity.sent.push(element)
          return new Promise<void>((resolve) => (finishWrite = resolve)) // the socket has not flushed yet
        },
      })
      const request = createIqRequester(entity, OWN)
      const pending = request(xml('iq', { type: 'get' }))
      entity.emit('stanza', xml('iq', { type: 'error', id: entity.sent[0]!.attrs.id }, xml('error', {}, xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))))
      await new Promise((resolve) => setImmediate(resolve)) // let Node look for unhandled rejections
      finishWrite()
      await expect(pending).rejects.toMatchObject({ condition: 'item-not-found' })
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
