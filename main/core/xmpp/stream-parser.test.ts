import xml, { type Element } from '@xmpp/xml'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StreamParser, type StreamLimits } from './stream-parser.ts'

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' version='1.0'>"

interface Seen {
  started: number
  elements: Element[]
  oversized: Element[]
  errors: { condition: string; message: string }[]
  ended: number
}

function parse(chunks: (string | Buffer)[], limits: Partial<StreamLimits> = {}): Seen & { parser: StreamParser } {
  const parser = new StreamParser(limits)
  const seen: Seen = { started: 0, elements: [], oversized: [], errors: [], ended: 0 }
  parser.on('start', () => (seen.started += 1))
  parser.on('element', (element: Element) => seen.elements.push(element))
  parser.on('oversized', (element: Element) => seen.oversized.push(element))
  parser.on('error', (error: { condition: string; message: string }) => seen.errors.push({ condition: error.condition, message: error.message }))
  parser.on('end', () => (seen.ended += 1))
  for (const chunk of chunks) parser.write(chunk)
  return { ...seen, parser }
}

describe('StreamParser: the XML that RFC 6120 §11 allows', () => {
  it('emits the header, each stanza with its content and the default namespace, and the end', () => {
    const seen = parse([
      HEADER,
      '<stream:features><starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/></stream:features>\n ',
      `<message from='bob@example.org/x' id='a&amp;b' type="chat"><body>1 &lt; 2 &gt; 0 &quot;&apos; &#x1F600;&#65;<![CDATA[<raw> & ]]></body></message>`,
      '</stream:stream>',
    ])
    expect(seen.errors).toEqual([])
    expect(seen.started).toBe(1)
    expect(seen.ended).toBe(1)
    expect(seen.elements.map((element) => element.name)).toEqual(['stream:features', 'message'])
    const message = seen.elements[1]!
    expect(message.attrs).toEqual({ from: 'bob@example.org/x', id: 'a&b', type: 'chat' })
    expect(message.getChildText('body')).toBe('1 < 2 > 0 "\' 😀A<raw> & ')
    expect(message.is('message', 'jabber:client')).toBe(true)
  })

  it('gives the same stanzas however the bytes are split, multi-byte characters included', () => {
    const body = 'grüße, Привет, 你好, 😀 & <tags>'
    const stanza = xml('message', { to: 'a@b', id: 'ü' }, xml('body', {}, body), xml('x', { xmlns: 'urn:x', a: "q'uo\"te" }))
    const bytes = Buffer.from(`${HEADER}${stanza.toString()} ${stanza.toString()}`, 'utf8')
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length]
        const chunks = points.slice(1).map((end, index) => bytes.subarray(points[index], end))
        const seen = parse(chunks)
        expect(seen.errors).toEqual([])
        expect(seen.elements.map((element) => element.toString())).toEqual([stanza.toString(), stanza.toString()])
      }),
      { numRuns: 300, seed: 6120 },
    )
  })

  it('reads back whatever @xmpp/xml serialises (random trees, random chunks)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9:_.-]{0,8}$/u)
    const text = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((value) => !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(value))
    const attrs = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/u), text.map((value) => value.replace(/[\t\n\r]/gu, ' ')), { maxKeys: 4 })
    const { tree } = fc.letrec<{ tree: Element }>((tie) => ({
      tree: fc
        .tuple(name, attrs, fc.array(fc.oneof({ depthSize: 'small' }, text, tie('tree')), { maxLength: 4 }))
        .map(([n, a, children]) => xml(n, a, ...children.filter((child) => child !== ''))),
    }))
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 50 }), (element, chunkSize) => {
        const input = `${HEADER}${element.toString()}`
        const chunks = Array.from({ length: Math.ceil(input.length / chunkSize) }, (_, index) => input.slice(index * chunkSize, (index + 1) * chunkSize))
        const seen = parse(chunks)
        expect(seen.errors).toEqual([])
        expect(seen.elements.map((parsed) => parsed.toString())).toEqual([element.toString()])
      }),
      { numRuns: 400, seed: 11 },
    )
  })
})

describe('StreamParser: hostile input ends the stream with the right condition, never with a throw', () => {
  const cases: [string, string, string][] = [
    ['an undefined entity', '<message><body>&bogus;</body></message>', 'restricted-xml'],
    ['an illegal character reference', '<message><body>&#0;</body></message>', 'not-well-formed'],
    ['a surrogate character reference', '<message><body>&#xD800;</body></message>', 'not-well-formed'],
    ['an entity in an attribute', "<message id='&bogus;'/>", 'restricted-xml'],
    ['mismatched end tags', '<message><body></x></y>', 'not-well-formed'],
    ['a DOCTYPE with an internal subset', "<!DOCTYPE foo [<!ENTITY a 'b'>]><message/>", 'restricted-xml'],
    ['a raw < in text', '<message><body>a < b</body></message>', 'not-well-formed'],
    ['a comment', '<!-- hi --><message/>', 'restricted-xml'],
    ['a processing instruction', '<?foo bar?><message/>', 'restricted-xml'],
    ['text outside of a stanza', 'hello<message/>', 'not-well-formed'],
    ['a duplicated attribute', "<message id='1' id='2'/>", 'not-well-formed'],
    ['a bare &', '<message><body>fish & chips</body></message>', 'not-well-formed'],
    ['an illegal character', '<message><body>\u0001</body></message>', 'not-well-formed'],
    ['an unquoted attribute', '<message id=1/>', 'not-well-formed'],
    ['an end tag for nothing', '</message>', 'not-well-formed'],
    [']]> in text', '<message><body>a ]]> b</body></message>', 'not-well-formed'],
  ]
  for (const [what, input, condition] of cases) {
    it(`${what} → ${condition}; the stanzas before it are kept, nothing after it is read`, () => {
      const seen = parse([HEADER, "<presence id='before'/>", input, "<message id='after'/>"])
      expect(seen.errors.map((error) => error.condition)).toEqual([condition])
      expect(seen.elements.map((element) => element.attrs.id)).toEqual(['before'])
      expect(() => seen.parser.write('&bogus; more <junk')).not.toThrow()
      expect(seen.errors).toHaveLength(1)
    })
  }

  it('invalid UTF-8 → not-well-formed', () => {
    const seen = parse([HEADER, Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])])
    expect(seen.errors.map((error) => error.condition)).toEqual(['not-well-formed'])
  })

  it('data after </stream:stream> is ignored', () => {
    const seen = parse([HEADER, '</stream:stream><message/>&bogus;'])
    expect(seen).toMatchObject({ ended: 1, errors: [], elements: [] })
  })

  it('a header that never ends → policy-violation', () => {
    const seen = parse(["<stream:stream xmlns='jabber:client' a='", 'x'.repeat(20_000)])
    expect(seen.errors.map((error) => error.condition)).toEqual(['policy-violation'])
  })

  it('never throws on arbitrary bytes, and reports at most one error', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 64 }), fc.constantFrom('<', '>', '&', '</a>', '<a>', "'", '"', '<![CDATA[', ']]>', '&amp;')), { maxLength: 30 }), (parts) => {
        const seen = parse([HEADER, ...parts.map((part) => (typeof part === 'string' ? part : Buffer.from(part)))])
        expect(seen.errors.length).toBeLessThanOrEqual(1)
      }),
      { numRuns: 2000, seed: 4 },
    )
  })
})

describe('StreamParser: bounded input', () => {
  const limits = { maxStanzaBytes: 4096, maxDepth: 8, maxAttributes: 4 }

  it('an oversized stanza is emitted as its top-level element without content, and the next one is whole', () => {
    const big = `<message id='big' from='bob@example.org/x'><body>${'a'.repeat(10_000)}</body><x><y/></x></message>`
    const seen = parse([HEADER, big, "<message id='next'><body>small</body></message>"], limits)
    expect(seen.errors).toEqual([])
    expect(seen.oversized.map((element) => element.toString())).toEqual(['<message id="big" from="bob@example.org/x"/>'])
    expect(seen.elements.map((element) => element.attrs.id)).toEqual(['big', 'next'])
    expect(seen.elements[1]!.getChildText('body')).toBe('small')
  })

  it('a stanza nested too deep or with too many attributes is cut the same way', () => {
    const deep = `<message id='deep'>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</message>`
    const wide = `<message id='wide'><x a='1' b='2' c='3' d='4' e='5'/></message>`
    const seen = parse([HEADER, deep, wide, "<message id='fine'/>"], limits)
    expect(seen.errors).toEqual([])
    expect(seen.oversized.map((element) => element.attrs.id)).toEqual(['deep', 'wide'])
    expect(seen.elements.map((element) => [element.attrs.id, element.children.length])).toEqual([
      ['deep', 0],
      ['wide', 0],
      ['fine', 0],
    ])
  })

  it('keeps its buffer small while skipping, also inside one huge attribute or text node fed in small chunks', () => {
    const parser = new StreamParser(limits)
    const elements: Element[] = []
    parser.on('element', (element: Element) => elements.push(element))
    parser.on('error', (error: Error) => {
      throw error
    })
    parser.write(HEADER)
    parser.write("<message id='huge-attr' a='")
    let peak = 0
    for (let index = 0; index < 2000; index++) {
      parser.write('x'.repeat(512))
      peak = Math.max(peak, parser.buffered)
    }
    parser.write("'><body>")
    for (let index = 0; index < 2000; index++) {
      parser.write('&amp;text'.repeat(50))
      peak = Math.max(peak, parser.buffered)
    }
    parser.write("</body></message><message id='after'/>")
    expect(peak).toBeLessThan(8192)
    expect(elements.map((element) => element.toString())).toEqual(['<message/>', '<message id="after"/>'])
  })

  it('the well-formedness of a skipped stanza is still checked', () => {
    const seen = parse([HEADER, `<message id='big'><body>${'a'.repeat(10_000)}</body></wrong>`], limits)
    expect(seen.errors.map((error) => error.condition)).toEqual(['not-well-formed'])
    expect(seen.elements).toEqual([])
  })
})
