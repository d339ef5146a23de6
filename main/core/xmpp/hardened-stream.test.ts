import { Client } from '@xmpp/client-core'
import type { Element } from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { hardenStream } from './hardened-stream.ts'
import { StreamParser } from './stream-parser.ts'

/**
 * The entity-level half of issue 10's "malformed XML kills the process": xmpp.js's socket data handler writes to
 * `this.parser`, which is null once a stream failed or is closing (quitting under traffic threw "Cannot read
 * properties of null (reading 'write')" from there), and a stanza handler that throws would throw out of it too.
 * These drive the entity's own data handler, as its socket does.
 */

interface Internals {
  Parser: new () => StreamParser
  parser: StreamParser | null
  _onData(data: Buffer): void
  _attachParser(parser: StreamParser): void
}

function hardened() {
  const entity = new Client({ service: 'xmpp://127.0.0.1:5222', domain: 'example.org' })
  const contained: unknown[] = []
  const oversized: string[] = []
  hardenStream(entity, { onContained: (error) => contained.push(error), onOversized: (stanza) => oversized.push(stanza.name) }, { maxStanzaBytes: 2048 })
  const internals = entity as unknown as Internals
  return { entity, internals, contained, oversized }
}

const HEADER = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='1' version='1.0'>"

describe('hardenStream', () => {
  it('drops data that arrives after the parser is gone, instead of throwing', () => {
    const { internals, contained } = hardened()
    internals.parser = null
    expect(() => internals._onData(Buffer.from('<message><body>late</body></message>'))).not.toThrow()
    expect(contained).toEqual([]) // not an error: the stream is over
  })

  it('keeps its parser even though @xmpp/client-core sets the transport’s on connect', () => {
    const { internals } = hardened()
    internals.Parser = StreamParser // what Client#connect does with the TCP transport's parser (ltx)
    expect(new internals.Parser()).toBeInstanceOf(StreamParser)
    expect(internals.Parser).not.toBe(StreamParser)
  })

  it('contains a stanza handler that throws, and reads the rest of the same chunk', () => {
    const { entity, internals, contained } = hardened()
    internals._attachParser(new internals.Parser())
    const seen: string[] = []
    entity.on('element', (element: Element) => {
      seen.push(element.attrs.id ?? '')
      if (element.attrs.id === 'boom') throw new Error('a handler bug')
    })
    expect(() => internals._onData(Buffer.from(`${HEADER}<message id='boom'/><message id='after'/>`))).not.toThrow()
    expect(seen).toEqual(['boom', 'after'])
    expect(contained.map((error) => (error as Error).message)).toEqual(['a handler bug'])
  })

  it('reports a stanza over the limits and still hands its top-level element on (XEP-0198 counts it)', () => {
    const { entity, internals, oversized } = hardened()
    internals._attachParser(new internals.Parser())
    const seen: string[] = []
    entity.on('element', (element: Element) => seen.push(`${element.name}#${element.attrs.id}:${element.children.length}`))
    internals._onData(Buffer.from(`${HEADER}<message id='big'><body>${'x'.repeat(5000)}</body></message><message id='small'><body>hi</body></message>`))
    expect(oversized).toEqual(['message'])
    expect(seen).toEqual(['message#big:0', 'message#small:1'])
  })
})
