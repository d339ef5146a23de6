import type { EventEnvelope, MethodName, MethodParams, MethodResults, Result, UriActionDto } from '../../preload/api.ts'
import type { Element } from '@xmpp/xml'
import type { KeyProvider } from './keys/key-provider.ts'

export interface CoreOptions {
  /** Where the encrypted database and its key settings live. Created if missing. */
  dataDir: string
  keyProvider: KeyProvider
  /** Extra TLS trust anchors (PEM) besides the system roots, e.g. a company or test CA. */
  extraCaCertificates?: readonly string[]
  /** Injected for tests; defaults to Date.now / Math.random. */
  clock?: () => number
  random?: () => number
}

/**
 * The headless core: everything the app does, behind the contract in preload/api.ts.
 * Electron IPC, the browser-mode bridge and tests all go through `call`, which validates the payload.
 */
export interface Core {
  /** Validate `params` against the contract and run the method. Never throws. */
  call(method: unknown, params: unknown): Promise<Result<unknown>>
  /** Typed convenience over `call` for in-process callers; rejects with the ApiError on failure. */
  request<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]>
  subscribe(listener: (envelope: EventEnvelope) => void): () => void
  /**
   * An `xmpp:` link from the operating system (the shell, not the renderer, calls this): parses it and
   * emits `app:uriOpened` with the action, or with `{ kind: 'invalid', reason }`. Never throws.
   */
  openUri(uri: string): Result<UriActionDto>
  /**
   * Test seam, not used by the app (see AccountSession.receiveForTesting): `stanza` enters the account's live
   * connection as if the server had sent it. Resolves with the errors the connection reported while handling it.
   */
  receiveForTesting(accountId: number, stanza: Element): Promise<unknown[]>
  /** Disconnect every account and close the database. */
  close(): Promise<void>
}
