import xml, { type Element } from '@xmpp/xml'
import type { ApiError, ConnectionState, OmemoSettingsDto } from '../../../preload/api.ts'
import { MamCatchUp } from '../chat/mam-catchup.ts'
import { MessageIngest } from '../chat/message-ingest.ts'
import { MessageRouter } from '../chat/message-router.ts'
import { Outbox } from '../chat/outbox.ts'
import { CoreError } from '../errors.ts'
import { OmemoService } from '../omemo/omemo-service.ts'
import type { CoreEvents } from '../events.ts'
import { RosterService } from '../roster/roster-service.ts'
import type { Store } from '../store/store.ts'
import type { AccountRow } from '../store/repos/accounts-repo.ts'
import type { PresentedCertificate } from '../xmpp/certificate.ts'
import type { XmppClient } from '../xmpp/client-factory.ts'
import { capsElement, discoInfo, NS_DISCO_INFO } from '../xmpp/stanzas/caps.ts'
import { enableCarbons } from '../xmpp/stanzas/carbons.ts'
import { NS } from '../xmpp/stanzas/namespaces.ts'
import type { InboundCounter } from '../xmpp/sm-inbound-counter.ts'
import { createAccountClient } from './account-client.ts'
import { createBackoff } from './backoff.ts'
import { connectOnce } from './connect-once.ts'
import { classifyLoginFailure } from './login-failure.ts'
import { LoginTimeoutError } from './wait-until-online.ts'
import type { XmppLink } from './xmpp-link.ts'

export interface SessionDeps {
  store: Store
  events: CoreEvents
  clock: () => number
  random: () => number
  extraCaCertificates: readonly string[]
  omemoSettings: () => OmemoSettingsDto
  onStateChanged: (accountId: number) => void
}

/**
 * One account's connection: connect, authenticate, keep it up (reconnect with backoff, XEP-0198
 * resumption), and run the account's services (roster, chat, archive catch-up, outbox) on it.
 * Fatal errors (wrong password, untrusted certificate, no TLS) stop retrying until the user acts.
 */
export class AccountSession {
  readonly accountId: number
  readonly ownBareJid: string
  readonly roster: RosterService
  readonly outbox: Outbox
  readonly omemo: OmemoService
  readonly #deps: SessionDeps
  readonly #router: MessageRouter
  readonly #archive: MamCatchUp
  readonly #backoff
  #client: XmppClient | null = null
  #wanted = false
  #connecting = false
  #reconnectTimer: NodeJS.Timeout | null = null
  #state: ConnectionState = 'offline'
  #error: ApiError | null = null
  #presented: () => PresentedCertificate | null = () => null
  #untrusted: PresentedCertificate | null = null
  #syncing = false
  #lastSyncedAt: number | null = null

  constructor(account: AccountRow, deps: SessionDeps) {
    this.accountId = account.id
    this.ownBareJid = account.jid
    this.#deps = deps
    this.#backoff = createBackoff({ random: deps.random })
    const link = this.#link()
    const log = (message: string) => console.warn(`[${account.jid}] ${message}`)
    this.omemo = new OmemoService({ link, store: deps.store, events: deps.events, clock: deps.clock, settings: deps.omemoSettings, warn: log })
    const ingest = new MessageIngest({ accountId: account.id, ownBareJid: account.jid, store: deps.store, events: deps.events, clock: deps.clock, omemo: this.omemo })
    this.roster = new RosterService(link, deps.store, deps.events)
    this.outbox = new Outbox({ link, store: deps.store, events: deps.events, clock: deps.clock, omemo: this.omemo, warn: log })
    this.#archive = new MamCatchUp({ link, store: deps.store, ingest, clock: deps.clock })
    this.#router = new MessageRouter({ link, ingest, archive: this.#archive, roster: this.roster, omemo: this.omemo, warn: log })
  }

  get state(): ConnectionState {
    return this.#state
  }
  get error(): ApiError | null {
    return this.#error
  }
  get untrustedCertificate(): PresentedCertificate | null {
    return this.#untrusted
  }
  get syncing(): boolean {
    return this.#syncing
  }
  get lastSyncedAt(): number | null {
    return this.#lastSyncedAt
  }

  start(): void {
    if (this.#wanted) return
    this.#wanted = true
    // smack's initializeAsync: OMEMO keys are generated in the background, before login.
    this.omemo.prepare().catch((error: unknown) => console.warn(`[${this.ownBareJid}] OMEMO keys:`, (error as Error).message))
    void this.#attempt()
  }

  async stop(finalState: ConnectionState = 'disabled'): Promise<void> {
    this.#wanted = false
    this.#clearTimer()
    const client = this.#client
    this.#client = null
    this.#setState(finalState, null)
    this.roster.forgetPresence()
    if (client) {
      client.entity.removeAllListeners('disconnect')
      await client.entity.stop().catch(() => undefined)
      client.entity.removeAllListeners()
      client.entity.on('error', () => undefined) // a late socket error must not crash the process
    }
    // Messages already received are still stored before the caller may close the database.
    await this.#router.idle()
  }

  /** Drop the connection and connect again with the account's current settings. */
  async restart(): Promise<void> {
    await this.stop('offline')
    this.#untrusted = null
    this.#backoff.reset()
    this.start()
  }

  /**
   * "Retry now": connect at once instead of waiting for the next backoff step, starting the backoff over.
   * Also after a final error (the user may have fixed it on the server); nothing to do while online or connecting.
   */
  reconnectNow(): void {
    this.#backoff.reset()
    if (this.#connecting || this.#state === 'online') return
    this.#clearTimer()
    if (this.#wanted) {
      void this.#attempt()
      return
    }
    this.#untrusted = null
    this.start()
  }

  /**
   * Test seam for the hostile-stanza suite (tests/integration/hostile-stanzas.test.ts), not used by the app: `stanza`
   * enters this account's live connection where a stanza parsed from the socket does (the xmpp.js entity's
   * `element` and `stanza` events, as Connection#_onElement emits them), so the whole middleware chain runs: IQ
   * callee, stream management, the message router, presence. The server never sent it, so it stays out of the
   * XEP-0198 count of received stanzas (h must count what the server sent, or the server closes the stream).
   * Resolves once the router has handled it and everything before it, with the errors the connection reported
   * meanwhile (xmpp.js turns a handler that throws into an `error` event, which the session otherwise ignores).
   */
  async receiveForTesting(stanza: Element): Promise<unknown[]> {
    const client = this.#client
    if (!client || this.#state !== 'online') throw new CoreError('not-connected', 'Not connected')
    if (!stanza.is('message') && !stanza.is('presence') && !stanza.is('iq')) throw new CoreError('invalid-input', 'Only stanzas can be received')
    const { entity } = client
    const counter = client.streamManagement as Partial<InboundCounter>
    const counted = counter.inbound
    const errors: unknown[] = []
    const onError = (error: unknown) => errors.push(error)
    entity.on('error', onError)
    try {
      entity.emit('element', stanza)
      entity.emit('stanza', stanza)
      if (counted !== undefined) counter.inbound = counted
      // The middleware's promise chain settles in microtasks, all run before the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve))
      await this.#router.idle()
    } finally {
      entity.off('error', onError)
    }
    return errors
  }

  #link(): XmppLink {
    return {
      accountId: this.accountId,
      ownBareJid: this.ownBareJid,
      isOnline: () => this.#state === 'online',
      send: async (element: Element) => {
        if (!this.#client || this.#state !== 'online') throw new CoreError('not-connected', 'Not connected')
        await this.#client.entity.send(element)
      },
      request: async (iq: Element, timeoutMs = 30_000) => {
        if (!this.#client || this.#state !== 'online') throw new CoreError('not-connected', 'Not connected')
        return this.#client.request(iq, timeoutMs)
      },
      acknowledgeStanzas: () => {
        if (this.#state === 'online') this.#client?.acknowledgeStanzas()
      },
    }
  }

  async #attempt(): Promise<void> {
    if (!this.#wanted || this.#connecting) return
    this.#connecting = true
    this.#setState('connecting', this.#error)
    try {
      const client = this.#client ?? (this.#client = await this.#createClient())
      const how = await connectOnce(client)
      this.#connecting = false
      await this.#onOnline(how === 'resumed')
    } catch (error) {
      this.#connecting = false
      await this.#onAttemptFailed(error)
    }
  }

  async #createClient(): Promise<XmppClient> {
    const account = this.#deps.store.accounts.get(this.accountId)
    if (!account) throw new CoreError('not-found', 'The account no longer exists')
    const { client, presented } = await createAccountClient(
      {
        jid: account.jid,
        password: account.password,
        resource: account.resource,
        host: account.host,
        port: account.port,
        pinnedCertificatePem: account.pinned_cert_pem,
      },
      { extraCaCertificates: this.#deps.extraCaCertificates },
    )
    this.#presented = presented
    const { entity, middleware, iqCallee, streamManagement } = client
    entity.on('error', () => undefined) // failures are handled where they surface (the attempt, reconnect)
    entity.on('disconnect', () => this.#onDisconnect())
    streamManagement.on('ack', (stanza: Element) => this.outbox.onAcked(stanza))
    middleware.use((ctx, next) => {
      const { stanza } = ctx
      if (stanza.is('message')) this.#router.route(stanza)
      else if (stanza.is('presence')) this.roster.handlePresence(stanza)
      return next()
    })
    iqCallee.get(NS_DISCO_INFO, 'query', ({ stanza }) => discoInfo(stanza.getChild('query')?.attrs.node))
    iqCallee.set(NS.roster, 'query', ({ stanza }) => {
      // RFC 6121 §2.1.6: a push from anyone but our own account is not processed, and answered (if at all) with
      // <service-unavailable/>, which leaks nothing. xmpp.js sends an <error/> the handler returns; one it throws
      // would become internal-server-error (and an 'error' event on the connection).
      if (!this.roster.handlePush(stanza)) return xml('error', { type: 'cancel' }, xml('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))
      return {}
    })
    return client
  }

  async #onOnline(resumed: boolean): Promise<void> {
    this.#backoff.reset()
    this.#untrusted = null
    this.outbox.connected()
    this.#setState('online', null)
    if (!resumed) {
      await this.#step('roster', () => this.roster.fetch())
      // XEP-0280 §4: enable carbons before sending presence, so no message is missed.
      await this.#step('carbons', () => this.#link().request(enableCarbons()))
      // XEP-0115 caps announce devicelist+notify, so contacts' OMEMO device lists are pushed to us.
      await this.#step('presence', () => this.#link().send(xml('presence', {}, capsElement())))
      await this.#step('omemo', () => this.omemo.announce())
    }
    await this.#step('outbox', () => this.outbox.flush(resumed))
    if (!resumed) await this.#syncArchive()
  }

  async #syncArchive(): Promise<void> {
    this.#syncing = true
    this.#deps.onStateChanged(this.accountId)
    this.omemo.beginCatchUp()
    try {
      await this.#archive.run()
      this.#lastSyncedAt = this.#deps.clock()
    } catch (error) {
      if (this.#state === 'online') console.warn(`[${this.ownBareJid}] archive catch-up failed:`, (error as Error).message)
    } finally {
      await this.omemo.endCatchUp()
      this.#syncing = false
      this.#deps.onStateChanged(this.accountId)
    }
  }

  async #step(name: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work()
    } catch (error) {
      if (this.#state === 'online') console.warn(`[${this.ownBareJid}] ${name} failed:`, (error as Error).message)
    }
  }

  async #onAttemptFailed(error: unknown): Promise<void> {
    const failure = classifyLoginFailure(error, this.ownBareJid, this.#presented())
    if (failure.final) {
      this.#wanted = false
      this.#clearTimer()
      this.#untrusted = failure.untrusted
      await this.#discardClient()
      this.#setState('error', failure.error.toDto())
      return
    }
    // A login that timed out may have stopped anywhere (in the TCP connect, in TLS): start the next one afresh.
    if (error instanceof LoginTimeoutError) await this.#discardClient()
    this.#setState('offline', failure.error.toDto())
    this.#scheduleReconnect()
  }

  async #discardClient(): Promise<void> {
    const client = this.#client
    this.#client = null
    if (!client) return
    client.entity.removeAllListeners('disconnect')
    await client.entity.disconnect().catch(() => undefined)
    client.entity.removeAllListeners()
    client.entity.on('error', () => undefined) // a late socket error must not crash the process
  }

  #onDisconnect(): void {
    if (!this.#wanted || this.#connecting) return
    this.roster.forgetPresence()
    this.omemo.lists.forgetFetched()
    this.#setState('offline', this.#error)
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (!this.#wanted) return
    this.#clearTimer()
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null
      void this.#attempt()
    }, this.#backoff.next())
  }

  #clearTimer(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = null
  }

  #setState(state: ConnectionState, error: ApiError | null): void {
    if (this.#state === state && this.#error === error) return
    this.#state = state
    this.#error = error
    this.#deps.onStateChanged(this.accountId)
  }
}
