import { EventEmitter } from 'node:events'
import xml from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { resetInboundOnEnabled, type InboundCounter } from './sm-inbound-counter.ts'

const enabled = () => xml('enabled', { xmlns: 'urn:xmpp:sm:3', id: 'abc', resume: 'true' })

/** Replays the order of events seen against Prosody (see the file under test) on a plain emitter. */
describe('XEP-0198 inbound count', () => {
  it('starts at zero when <enabled/> arrives, and a stanza parsed before the library catches up still counts', () => {
    const entity = new EventEmitter()
    const counter: InboundCounter = { inbound: 0 }
    resetInboundOnEnabled(entity, counter)
    counter.inbound += 1 // the reply to an IQ sent before <enable/>: not counted by the server
    entity.emit('nonza', enabled())
    expect(counter.inbound).toBe(0)
    counter.inbound += 1 // the reply to an IQ sent while <enable/> was in flight, same TCP read
    expect(counter.inbound).toBe(1) // what an <a/> answering the server's <r/> now says: what the server sent
    counter.inbound = 0 // the library's own reset, late
    expect(counter.inbound).toBe(1)
    counter.inbound += 1
    expect(counter.inbound).toBe(2)
  })

  it('leaves every other reset alone (a new stream, going offline) and ignores other nonzas', () => {
    const entity = new EventEmitter()
    const counter: InboundCounter = { inbound: 5 }
    resetInboundOnEnabled(entity, counter)
    entity.emit('nonza', xml('r', { xmlns: 'urn:xmpp:sm:3' }))
    expect(counter.inbound).toBe(5)
    counter.inbound = 0
    expect(counter.inbound).toBe(0)
    entity.emit('nonza', enabled())
    entity.emit('disconnect') // the library's late reset never came: the next one is a real one
    counter.inbound = 3
    counter.inbound = 0
    expect(counter.inbound).toBe(0)
  })
})
