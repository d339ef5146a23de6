import type { Client } from '@xmpp/client-core'
import { StreamParser, StreamParseError, type StreamLimits } from './stream-parser.ts'

/** What the connection tells about input it could not use. */
export interface StreamProblems {
  /** A stanza over the stream limits arrived and was cut to its top-level element (stream-parser.ts). */
  onOversized(stanza: { name: string; attrs: Record<string, string | undefined> }): void
  /** An error thrown while handling input, contained instead of reaching the socket's data handler. */
  onContained(error: unknown): void
}

/** xmpp.js Connection internals this file replaces (see @xmpp/connection/index.js). */
interface ConnectionInternals {
  parser: StreamParser | null
  _onData(data: Buffer): void
  _streamError(condition: string, children?: unknown): Promise<void>
}

/**
 * Makes an xmpp.js entity safe against whatever the other end of the TCP connection sends, before TLS too:
 * - our strict, bounded parser (stream-parser.ts) replaces ltx, so malformed XML ends this stream with an error
 *   (RFC 6120 §4.9.3 not-well-formed / restricted-xml / policy-violation, sent to the server before closing)
 *   instead of an exception in the socket's data handler that kills the process;
 * - the socket's bytes reach the parser as bytes, so a UTF-8 character split across two TCP segments is decoded
 *   whole (xmpp.js decodes each segment on its own);
 * - data arriving after the parser is gone (the stream failed or is closing) is dropped: xmpp.js would call
 *   write() on null (the TypeError seen when quitting under traffic);
 * - an exception thrown by a stanza handler is contained and reported, and the rest of the input is still read;
 * - a stream the server closes is closed on our side too, at once.
 */
export function hardenStream(entity: Client, problems: StreamProblems, limits: Partial<StreamLimits> = {}): void {
  const connection = entity as unknown as ConnectionInternals
  let failure: StreamParseError | null = null

  class HardenedParser extends StreamParser {
    constructor() {
      super(limits)
      failure = null
      // Registered before xmpp.js's own listeners, so the condition is known when it answers the error.
      this.on('error', (error: unknown) => {
        if (error instanceof StreamParseError) failure = error
      })
      this.on('oversized', problems.onOversized)
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'element') return super.emit(event, ...args)
      try {
        return super.emit(event, ...args)
      } catch (error) {
        problems.onContained(error)
        return true
      }
    }
  }
  // @xmpp/client-core's connect() sets `this.Parser` from the transport (Client.js): keep ours regardless.
  Object.defineProperty(connection, 'Parser', { get: () => HardenedParser, set: () => undefined, configurable: false })

  connection._onData = function onData(this: ConnectionInternals, data: Buffer) {
    const { parser } = this
    if (!parser) return
    try {
      parser.write(data)
    } catch (error) {
      problems.onContained(error)
    }
  }

  // RFC 6120 §4.4: when the server closes its stream first, we close ours and the TCP connection. xmpp.js only
  // notes it (status 'close') and would wait, during a login until its timeout.
  let closingByUs = false
  entity.on('status', (status: string) => {
    if (status === 'closing') closingByUs = true
    else if (status === 'connecting' || status === 'opening') closingByUs = false
  })
  entity.on('close', () => {
    if (!closingByUs) entity.disconnect().catch((error: unknown) => problems.onContained(error))
  })

  // xmpp.js answers every parser error with bad-format; RFC 6120 §4.9.3 recommends the specific condition.
  const streamError = connection._streamError.bind(connection)
  connection._streamError = (condition, children) => streamError(condition === 'bad-format' && failure ? failure.condition : condition, children)
}
