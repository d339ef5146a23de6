import { EventEmitter } from 'node:events'
import { Element } from '@xmpp/xml'

/**
 * The XML stream parser of our connections, in place of xmpp.js's (ltx), which throws out of the socket's data
 * handler on an undefined entity or an illegal character (killing the process), accepts DOCTYPEs and comments,
 * and silently swallows the rest of the stream after a raw `<` in text.
 *
 * It accepts exactly the XML that RFC 6120 §11 allows on a stream: elements, attributes, text, CDATA, the five
 * predefined entities and character references, and an XML declaration before the stream header. Anything else
 * ends the stream with an error whose `condition` is the RFC 6120 §4.9.3 stream error to send: not-well-formed,
 * restricted-xml (§11.1: comments, processing instructions, DTDs, entity references) or policy-violation (the
 * header is too large). After an error, or after the closing tag of the stream, further input is ignored.
 *
 * The input is bounded: a stanza larger than `maxStanzaBytes`, nested deeper than `maxDepth` or with more than
 * `maxAttributes` on one element is not kept. It is still read to its end and checked, and then only its
 * top-level element (name and attributes, no content) is emitted, as `element` (so XEP-0198 §4 stream management
 * still counts it) and as `oversized`.
 */

export type StreamErrorCondition = 'not-well-formed' | 'restricted-xml' | 'policy-violation'

export class StreamParseError extends Error {
  readonly condition: StreamErrorCondition
  constructor(condition: StreamErrorCondition, message: string) {
    super(message)
    this.name = 'XMLError'
    this.condition = condition
  }
}

export interface StreamLimits {
  /** Characters of one top-level element (a stanza), markup included. */
  maxStanzaBytes: number
  /** Elements open at once inside a stanza, the stanza itself included. */
  maxDepth: number
  /** Attributes of one element. */
  maxAttributes: number
  /** Characters before the stream header is complete (XML declaration, header). */
  maxHeaderBytes: number
}

/** Prosody's c2s default is 256 KiB (c2s_stanza_size_limit); twice that leaves room for any sane server. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStanzaBytes: 512 * 1024, maxDepth: 48, maxAttributes: 64, maxHeaderBytes: 16 * 1024 }

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
/** The longest reference there is: `&#x10FFFF;` / `&#1114111;`. */
const MAX_REFERENCE = 10
/** What is kept of a token that an oversized stanza has not finished yet (enough for the element's name). */
const SKIPPED_TOKEN_HEAD = 1024

// XML 1.0 §2.3 Name, §2.2 Char.
const NAME_START = 'A-Z_a-z:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}'
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`
const NAME_PATTERN = `[${NAME_START}][${NAME_CHAR}]*`
const NAME = new RegExp(`^${NAME_PATTERN}$`, 'u')
const START_TAG = new RegExp(`^<(${NAME_PATTERN})((?:\\s+[^\\s=/>]+\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>$`, 'u')
const ATTRIBUTE = /\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/gu
const END_TAG = new RegExp(`^</(${NAME_PATTERN})\\s*>$`, 'u')
const TAG_NAME = new RegExp(`^</?(${NAME_PATTERN})`, 'u')
const XML_DECLARATION = /^<\?xml(\s+[^?]*)?\?>$/u
const ILLEGAL_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** Where the input stands: between tokens (text), or inside a tag / CDATA section that has not ended yet. */
type Scan = { in: 'text' } | { in: 'tag'; quote: string | null } | { in: 'cdata' }

/** An oversized stanza being read: its top-level element (once known) and the names of the elements open inside it. */
interface Skipping {
  stanza: Element | null
  open: string[]
}

const fail = (condition: StreamErrorCondition, message: string): never => {
  throw new StreamParseError(condition, message)
}

export class StreamParser extends EventEmitter {
  readonly #limits: StreamLimits
  readonly #decoder = new TextDecoder('utf-8', { fatal: true })
  #pending = ''
  /** How far into #pending the current token has been scanned (so no character is scanned twice). */
  #scanned = 0
  #scan: Scan = { in: 'text' }
  #done = false
  #root: Element | null = null
  #headerSize = 0
  /** Open elements of the current stanza (outermost first), and its size so far. */
  #open: Element[] = []
  #stanzaSize = 0
  #skipping: Skipping | null = null

  constructor(limits: Partial<StreamLimits> = {}) {
    super()
    this.#limits = { ...DEFAULT_STREAM_LIMITS, ...limits }
  }

  write(data: Buffer | string): void {
    if (this.#done) return
    try {
      this.#pending += typeof data === 'string' ? data : this.#decoder.decode(data, { stream: true })
      this.#consume()
    } catch (error) {
      if (error instanceof StreamParseError) this.#fail(error)
      else if (error instanceof TypeError && (error as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') this.#fail(new StreamParseError('not-well-formed', 'The stream is not valid UTF-8'))
      else throw error
    }
  }

  /** Characters held while waiting for the rest of a token (bounded also while skipping an oversized stanza). */
  get buffered(): number {
    return this.#pending.length
  }

  /** The connection ended; nothing to flush. */
  end(data?: Buffer | string): void {
    if (data) this.write(data)
    this.#done = true
  }

  #fail(error: StreamParseError): void {
    this.#done = true
    this.#pending = ''
    this.#open = []
    this.#skipping = null
    this.emit('error', error)
  }

  #consume(): void {
    while (!this.#done) {
      const end = this.#findTokenEnd()
      if (end === -1) {
        this.#checkIncomplete()
        return
      }
      const token = this.#pending.slice(0, end)
      this.#pending = this.#pending.slice(end)
      this.#scanned = 0
      this.#scan = { in: 'text' }
      if (!token.startsWith('<')) this.#onText(token)
      else if (this.#skipping) this.#onSkippedMarkup(token, this.#skipping)
      else this.#onMarkup(token)
    }
  }

  /** The end (exclusive) of the next complete token in #pending, or -1 when more input is needed. */
  #findTokenEnd(): number {
    const pending = this.#pending
    if (this.#scan.in === 'text') {
      if (pending.length === 0) return -1
      if (!pending.startsWith('<')) {
        const lt = pending.indexOf('<', this.#scanned)
        if (lt !== -1) return lt
        this.#scanned = pending.length
        return -1
      }
      if (pending.startsWith('<![CDATA[')) this.#scan = { in: 'cdata' }
      else if (pending.length < 9 && '<![CDATA['.startsWith(pending)) return -1
      else if (pending.startsWith('<!--')) fail('restricted-xml', 'A comment (RFC 6120 §11.1)')
      else if (pending.startsWith('<!')) fail('restricted-xml', 'A document type declaration (RFC 6120 §11.1)')
      else this.#scan = { in: 'tag', quote: null }
      this.#scanned = 1
    }
    if (this.#scan.in === 'cdata') {
      const close = pending.indexOf(']]>', Math.max(9, this.#scanned - 2))
      if (close !== -1) return close + 3
      this.#scanned = pending.length
      return -1
    }
    const scan = this.#scan
    if (scan.in !== 'tag') return -1 // (text was handled above; this narrows the type)
    for (let index = this.#scanned; index < pending.length; index++) {
      const char = pending[index]
      if (char === '<') fail('not-well-formed', 'A < inside a tag or attribute value')
      if (scan.quote !== null) {
        if (char === scan.quote) scan.quote = null
      } else if (char === '"' || char === "'") {
        scan.quote = char
      } else if (char === '>') {
        return index + 1
      }
    }
    this.#scanned = pending.length
    return -1
  }

  /** Input that has not made a whole token yet still counts against the limits, and is not kept while skipping. */
  #checkIncomplete(): void {
    const pending = this.#pending
    const inText = this.#scan.in === 'text' && !pending.startsWith('<')
    if (!this.#root) {
      if (this.#headerSize + pending.length > this.#limits.maxHeaderBytes) fail('policy-violation', 'The stream header is too large')
      if (inText && pending.trim() !== '') fail('not-well-formed', 'Text before the stream header')
      return
    }
    const betweenStanzas = this.#open.length === 0 && !this.#skipping
    if (betweenStanzas && inText) {
      // Whitespace between stanzas (keepalives) is dropped as it comes; nothing else may be there.
      if (pending.trim() !== '') fail('not-well-formed', 'Text outside of a stanza')
      this.#pending = ''
      this.#scanned = 0
      return
    }
    if (!this.#skipping && (betweenStanzas ? 0 : this.#stanzaSize) + pending.length > this.#limits.maxStanzaBytes) this.#startSkipping()
    if (!this.#skipping) return
    if (inText) {
      // Text of a skipped stanza is checked and dropped, except an unfinished reference at its end.
      const amp = pending.lastIndexOf('&')
      const keep = amp !== -1 && !pending.includes(';', amp) ? amp : pending.length
      if (pending.length - keep > MAX_REFERENCE) fail('not-well-formed', 'A bare & in text')
      this.#checkText(pending.slice(0, keep))
      this.#pending = pending.slice(keep)
      this.#scanned = this.#pending.length
    } else if (pending.length > 2 * SKIPPED_TOKEN_HEAD) {
      // A huge tag or CDATA section of a skipped stanza: everything up to here was scanned; keep its head (the
      // name) and its last characters (a CDATA end may begin there).
      if (this.#scan.in === 'cdata' && ILLEGAL_CHAR.test(pending)) fail('not-well-formed', 'An illegal character')
      this.#pending = pending.slice(0, SKIPPED_TOKEN_HEAD) + pending.slice(-2)
      this.#scanned = this.#pending.length
    }
  }

  #onText(raw: string): void {
    if (!this.#root) {
      if (raw.trim() !== '') fail('not-well-formed', 'Text before the stream header')
      this.#headerSize += raw.length
      return
    }
    if (this.#open.length === 0 && !this.#skipping) {
      // Between stanzas only whitespace (keepalives) is allowed.
      if (raw.trim() !== '') fail('not-well-formed', 'Text outside of a stanza')
      return
    }
    const text = this.#checkText(raw)
    if (this.#skipping) return
    this.#open.at(-1)!.append(text)
    this.#grow(raw.length)
  }

  #onMarkup(token: string): void {
    if (token.startsWith('<![CDATA[')) {
      if (this.#open.length === 0) fail('not-well-formed', 'CDATA outside of a stanza')
      const content = token.slice(9, -3)
      if (ILLEGAL_CHAR.test(content)) fail('not-well-formed', 'An illegal character')
      this.#open.at(-1)!.append(content)
      this.#grow(token.length)
      return
    }
    if (token.startsWith('<?')) {
      if (this.#root || this.#headerSize > 0 || !XML_DECLARATION.test(token)) fail('restricted-xml', 'A processing instruction (RFC 6120 §11.1)')
      this.#headerSize += token.length
      return
    }
    if (token.startsWith('</')) {
      const match = END_TAG.exec(token) ?? fail('not-well-formed', 'A malformed end tag')
      this.#onEndTag(match[1]!, token.length)
      return
    }
    const match = START_TAG.exec(token) ?? fail('not-well-formed', 'A malformed start tag')
    // The stream header is bounded by maxHeaderBytes instead of the attribute limit.
    const attrs = this.#attributes(match[2] ?? '', this.#root ? this.#limits.maxAttributes : Number.POSITIVE_INFINITY)
    this.#onStartTag(match[1]!, attrs, match[3] === '/', token.length)
  }

  #onStartTag(name: string, attrs: Record<string, string> | null, selfClosing: boolean, size: number): void {
    if (!this.#root) {
      this.#headerSize += size
      if (this.#headerSize > this.#limits.maxHeaderBytes) fail('policy-violation', 'The stream header is too large')
      if (selfClosing || attrs === null) fail('not-well-formed', 'A malformed stream header')
      this.#root = new Element(name, attrs!)
      this.emit('start', this.#root)
      return
    }
    if (this.#open.length === 0) this.#stanzaSize = 0
    const element = new Element(name, attrs ?? {})
    const parent = this.#open.at(-1)
    if (parent) parent.append(element)
    else element.parent = this.#root // namespace lookups reach the stream's default namespace; not kept as a child
    this.#open.push(element)
    this.#grow(size)
    if (attrs === null || this.#open.length > this.#limits.maxDepth) this.#startSkipping()
    if (selfClosing) {
      if (this.#skipping) this.#onSkippedEnd(name, this.#skipping)
      else this.#onEndTag(name, 0)
    }
  }

  #onEndTag(name: string, size: number): void {
    const current = this.#open.at(-1)
    if (!current) {
      if (name !== this.#root?.name) fail('not-well-formed', `</${name}> closes nothing`)
      this.#done = true
      this.#pending = ''
      this.emit('end', this.#root)
      return
    }
    if (current.name !== name) fail('not-well-formed', `<${current.name}> is closed by </${name}>`)
    this.#open.pop()
    this.#grow(size)
    if (this.#open.length === 0 && !this.#skipping) this.emit('element', current)
  }

  /** Markup inside an oversized stanza: checked for well-formedness, counted for depth, not kept. */
  #onSkippedMarkup(token: string, skipping: Skipping): void {
    if (token.startsWith('<![CDATA[')) {
      if (skipping.stanza === null) fail('not-well-formed', 'CDATA outside of a stanza')
      if (ILLEGAL_CHAR.test(token)) fail('not-well-formed', 'An illegal character')
      return
    }
    if (token.startsWith('<?')) fail('restricted-xml', 'A processing instruction (RFC 6120 §11.1)')
    const name = TAG_NAME.exec(token)?.[1] ?? fail('not-well-formed', 'A malformed tag')
    if (skipping.stanza === null && token.startsWith('</')) fail('not-well-formed', `</${name}> closes nothing`)
    if (token.startsWith('</')) {
      this.#onSkippedEnd(name, skipping)
      return
    }
    const selfClosing = token.endsWith('/>')
    if (skipping.stanza === null) {
      // The stanza's own start tag was too large: its name is known, its attributes are not kept.
      skipping.stanza = new Element(name, {})
      skipping.stanza.parent = this.#root
      if (selfClosing) this.#onSkippedEnd(name, skipping)
      return
    }
    if (!selfClosing) skipping.open.push(name)
  }

  #onSkippedEnd(name: string, skipping: Skipping): void {
    const open = skipping.open.pop()
    if (open !== undefined) {
      if (open !== name) fail('not-well-formed', `<${open}> is closed by </${name}>`)
      return
    }
    const stanza = skipping.stanza ?? fail('not-well-formed', `</${name}> closes nothing`)
    if (stanza.name !== name) fail('not-well-formed', `<${stanza.name}> is closed by </${name}>`)
    this.#skipping = null
    this.#open = []
    this.emit('oversized', stanza)
    this.emit('element', stanza)
  }

  /** The attributes, or null when there are more than the limit. */
  #attributes(text: string, limit: number): Record<string, string> | null {
    const attrs: Record<string, string> = {}
    let count = 0
    for (const match of text.matchAll(ATTRIBUTE)) {
      const name = match[1]!
      if (!NAME.test(name)) fail('not-well-formed', 'A malformed attribute name')
      if (Object.hasOwn(attrs, name)) fail('not-well-formed', `The attribute ${name} appears twice`)
      // XML 1.0 §3.3.3: literal whitespace characters in a value are normalised to spaces.
      attrs[name] = this.#checkText(match[2] ?? match[3] ?? '').replace(/[\t\n\r]/gu, ' ')
      count += 1
    }
    return count > limit ? null : attrs
  }

  /** Resolves the references of text or an attribute value; only the predefined and numeric ones exist (§11.1). */
  #checkText(raw: string): string {
    if (ILLEGAL_CHAR.test(raw)) fail('not-well-formed', 'An illegal character')
    if (raw.includes(']]>')) fail('not-well-formed', ']]> in text')
    let amp = raw.indexOf('&')
    if (amp === -1) return raw
    let resolved = ''
    let from = 0
    while (amp !== -1) {
      const semicolon = raw.indexOf(';', amp)
      if (semicolon === -1 || semicolon - amp > MAX_REFERENCE) fail('not-well-formed', 'A bare & in text')
      resolved += raw.slice(from, amp) + this.#reference(raw.slice(amp + 1, semicolon))
      from = semicolon + 1
      amp = raw.indexOf('&', from)
    }
    return resolved + raw.slice(from)
  }

  #reference(name: string): string {
    const predefined = PREDEFINED[name]
    if (predefined !== undefined) return predefined
    const code = /^#x[0-9a-fA-F]{1,6}$/u.test(name) ? Number.parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/u.test(name) ? Number(name.slice(1)) : null
    if (code === null) return fail(NAME.test(name) ? 'restricted-xml' : 'not-well-formed', `The entity reference &${name}; (RFC 6120 §11.1)`)
    const char = code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : null
    if (char === null || ILLEGAL_CHAR.test(char)) fail('not-well-formed', `&${name}; is not a legal character`)
    return char!
  }

  #grow(size: number): void {
    this.#stanzaSize += size
    if (!this.#skipping && this.#open.length > 0 && this.#stanzaSize > this.#limits.maxStanzaBytes) this.#startSkipping()
  }

  /** The stanza is over a limit: from here its content is only checked and counted, not kept. */
  #startSkipping(): void {
    const [stanza, ...inner] = this.#open
    this.#skipping = { stanza: stanza ?? null, open: inner.map((element) => element.name) }
    if (stanza) stanza.children = []
    this.#open = []
  }
}
