import { getContext, setContext } from 'svelte'
import type { Api, EventEnvelope, MethodParams, UriOpenedDto } from '../../../../preload/api.ts'
import type { Transport } from '../api.ts'
import { AccountsState } from './accounts.svelte.ts'
import { AppState } from './app.svelte.ts'
import { ConversationsState } from './conversations.svelte.ts'
import { MessagesState } from './messages.svelte.ts'
import { RosterState } from './roster.svelte.ts'
import { SecurityWarningsState } from './security.svelte.ts'
import { SettingsState } from './settings.svelte.ts'
import { TrustStore } from './trust.svelte.ts'

/** All renderer state, fed by api calls and kept current by core events. */
export class Stores {
  readonly app: AppState
  readonly accounts: AccountsState
  readonly roster: RosterState
  readonly conversations: ConversationsState
  readonly messages: MessagesState
  readonly trust: TrustStore
  readonly warnings: SecurityWarningsState
  readonly omemoSettings: SettingsState<{ read: 'settings:getOmemo'; write: 'settings:setOmemo' }>
  readonly appSettings: SettingsState<{ read: 'app:getSettings'; write: 'app:setSettings' }>
  /** The conversation open per account, so switching accounts comes back to it. */
  openPeers = $state.raw<Record<number, string>>({})
  /** The newest `xmpp:` link from the operating system, until the unlocked UI has acted on it. */
  pendingLink = $state.raw<UriOpenedDto | null>(null)

  constructor(api: Api, transport: Transport) {
    this.app = new AppState(api)
    this.accounts = new AccountsState(api)
    this.roster = new RosterState(api)
    this.conversations = new ConversationsState(api)
    this.messages = new MessagesState(api)
    this.trust = new TrustStore(api)
    this.warnings = new SecurityWarningsState()
    this.omemoSettings = new SettingsState(api, { read: 'settings:getOmemo', write: 'settings:setOmemo' })
    this.appSettings = new SettingsState(api, { read: 'app:getSettings', write: 'app:setSettings' })
    api.onEvent((envelope) => this.#dispatch(envelope))
    transport.onLost((detail) => {
      this.app.lost = detail
    })
  }

  async start(): Promise<void> {
    await this.app.load()
    if (this.app.phase === 'ready') await this.#loadAll()
  }

  async unlock(passphrase: string) {
    const error = await this.app.unlock(passphrase)
    if (!error && this.app.phase === 'ready') await this.#loadAll()
    return error
  }

  selectAccount(accountId: number): void {
    this.accounts.select(accountId)
    void this.#showAccount(accountId)
  }

  openConversation(accountId: number, peer: string): void {
    this.openPeers = { ...this.openPeers, [accountId]: peer }
    if (this.accounts.selectedId !== accountId) this.accounts.select(accountId)
    void this.messages.open(accountId, peer)
    void this.conversations.refresh(accountId, peer)
  }

  closeConversation(): void {
    const accountId = this.messages.accountId
    if (accountId !== null) {
      const { [accountId]: _dropped, ...others } = this.openPeers
      this.openPeers = others
    }
    this.messages.close()
  }

  async #loadAll(): Promise<void> {
    const accounts = await this.accounts.load()
    await Promise.all(accounts.map((account) => this.conversations.ensure(account.id)))
    if (this.accounts.selectedId !== null) await this.#showAccount(this.accounts.selectedId)
  }

  async #showAccount(accountId: number): Promise<void> {
    const peer = this.openPeers[accountId]
    if (peer) void this.messages.open(accountId, peer)
    else this.messages.close()
    await Promise.all([this.roster.ensure(accountId), this.conversations.ensure(accountId)])
  }

  /** The database closed (locked again): drop everything shown from it. */
  #clear(): void {
    this.messages.close()
    for (const account of this.accounts.list) {
      this.roster.forgetAccount(account.id)
      this.conversations.forgetAccount(account.id)
    }
    this.accounts.list = []
    this.accounts.loaded = false
    this.openPeers = {}
    this.trust.clear()
    this.warnings.clear()
    this.omemoSettings.clear()
    this.appSettings.clear()
  }

  #forgetAccount(accountId: number): void {
    this.accounts.forget(accountId)
    this.roster.forgetAccount(accountId)
    this.conversations.forgetAccount(accountId)
    this.trust.forgetAccount(accountId)
    this.warnings.forgetAccount(accountId)
    const { [accountId]: _dropped, ...others } = this.openPeers
    this.openPeers = others
    if (this.messages.accountId === accountId) this.messages.close()
    if (this.accounts.selectedId !== null) void this.#showAccount(this.accounts.selectedId)
  }

  /** Adds an account through the core and shows it. */
  async addAccount(params: MethodParams<'accounts:add'>) {
    const result = await this.accounts.add(params)
    if ('id' in result) this.selectAccount(result.id)
    return result
  }

  /** Removes an account through the core, then everything shown for it. */
  async removeAccount(accountId: number) {
    const error = await this.accounts.remove(accountId)
    if (!error) this.#forgetAccount(accountId)
    return error
  }

  /** Hands the pending link to whoever acts on it (once). */
  takeLink(): UriOpenedDto | null {
    const link = this.pendingLink
    this.pendingLink = null
    return link
  }

  #dispatch(envelope: EventEnvelope): void {
    if (envelope.event === 'app:uriOpened') {
      this.pendingLink = envelope.payload
    } else if (envelope.event === 'app:changed') {
      const wasReady = this.app.phase === 'ready'
      this.app.apply(envelope.payload)
      if (!wasReady && this.app.phase === 'ready') void this.#loadAll()
      if (wasReady && this.app.phase !== 'ready') this.#clear()
    } else if (envelope.event === 'app:settingsChanged') {
      this.appSettings.apply(envelope.payload)
    } else if (envelope.event === 'accounts:changed') {
      this.accounts.upsert(envelope.payload)
      void this.conversations.ensure(envelope.payload.id)
      if (this.accounts.selectedId === null) this.selectAccount(envelope.payload.id)
    } else if (envelope.event === 'accounts:removed') {
      this.#forgetAccount(envelope.payload.accountId)
    } else if (envelope.event === 'roster:changed') {
      this.roster.upsert(envelope.payload)
    } else if (envelope.event === 'roster:removed') {
      this.roster.forget(envelope.payload.accountId, envelope.payload.jid)
    } else if (envelope.event === 'messages:received') {
      this.messages.apply(envelope.payload)
    } else if (envelope.event === 'messages:updated') {
      this.messages.update(envelope.payload)
    } else if (envelope.event === 'conversations:changed') {
      this.conversations.upsert(envelope.payload)
    } else if (envelope.event === 'omemo:devicesChanged') {
      const { accountId, jid } = envelope.payload
      this.trust.changed(accountId, jid)
      // What the next message will be depends on these devices: the header and composer must follow.
      const own = this.accounts.get(accountId)?.jid === jid
      for (const conversation of this.conversations.list(accountId)) {
        if (conversation.peer === jid || (own && this.messages.isOpen(accountId, conversation.peer))) void this.conversations.refresh(accountId, conversation.peer)
      }
      if (this.accounts.get(accountId)?.jid === jid && this.trust.ownDevice(accountId)) void this.trust.loadOwnDevice(accountId)
    } else if (envelope.event === 'security:warning') {
      this.warnings.add(envelope.payload)
    }
  }
}

const KEY = Symbol('stores')

export function provideStores(stores: Stores): void {
  setContext(KEY, stores)
}

export function useStores(): Stores {
  const stores = getContext<Stores | undefined>(KEY)
  if (!stores) throw new Error('useStores() outside <App>')
  return stores
}
