import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AppStateDto, MethodName, MethodParams, MethodResults } from '../../preload/api.ts'
import { AccountRegistry } from './accounts/account-registry.ts'
import { conversationDto, toMessageDto } from './chat/message-dto.ts'
import { dispatch, type Handlers } from './contract/dispatch.ts'
import type { Core, CoreOptions } from './core-types.ts'
import { CoreError } from './errors.ts'
import { CoreEvents } from './events.ts'
import { changeDatabasePassphrase } from './keys/rekey.ts'
import { openDatabaseSettlingRekey } from './keys/rekey-recovery.ts'
import { installFastPrimitives } from './omemo/crypto/index.ts'
import { removeEmscriptenProcessHooks } from './omemo/emscripten-hooks.ts'
import { fixLibsignalChainPruning, fixLibsignalSessionTrials } from './omemo/libsignal-fixes.ts'
import { OMEMO_SETTINGS_KEY, readOmemoSettings } from './omemo/omemo-context.ts'
import { readAppSettings, writeAppSettings } from './settings/app-settings.ts'
import { migrate } from './store/migrate.ts'
import { createStore, type Store } from './store/store.ts'
import { parseXmppUri } from './uri/xmpp-uri.ts'

export type { Core, CoreOptions } from './core-types.ts'
export { createPassphraseKeyProvider, createFixedKeyProvider } from './keys/passphrase-key-provider.ts'

const DATABASE_FILE = 'messenger.db'

interface Unlocked {
  store: Store
  accounts: AccountRegistry
  /** Passphrase databases: SHA-256 of the key in use (to check the current passphrase); never the key. */
  keyDigest: Buffer | null
}

/**
 * Creates the headless core. With a keychain key provider the database opens right away; with a
 * passphrase provider the core starts locked and `app:unlock` opens it.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  removeEmscriptenProcessHooks()
  // node:crypto-backed X25519/XEdDSA/HMAC/AES for libsignal, byte-identical to its defaults (see omemo/crypto).
  installFastPrimitives()
  fixLibsignalChainPruning()
  fixLibsignalSessionTrials()
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const databasePath = join(options.dataDir, DATABASE_FILE)
  const clock = options.clock ?? Date.now
  const random = options.random ?? Math.random
  const events = new CoreEvents()
  let unlocked: Unlocked | null = null
  let unlocking: Promise<void> | null = null
  let changingPassphrase: Promise<AppStateDto> | null = null

  const appState = (): AppStateDto => ({
    phase: unlocked ? 'ready' : 'locked',
    databaseExists: existsSync(databasePath),
    keyProtection: options.keyProvider.protection,
  })

  async function unlock(passphrase?: string): Promise<void> {
    const creating = !existsSync(databasePath)
    const { keyProvider } = options
    const key = await keyProvider.obtainKey({ passphrase, creating })
    let opened: Awaited<ReturnType<typeof openDatabaseSettlingRekey>>
    try {
      opened = await openDatabaseSettlingRekey(databasePath, key, keyProvider.passphraseSettings, passphrase)
    } finally {
      key.fill(0)
    }
    const { db } = opened
    const keyDigest = keyProvider.protection === 'passphrase' ? opened.digest : null
    try {
      migrate(db)
    } catch (error) {
      db.close()
      opened.digest.fill(0)
      throw error
    }
    const store = createStore(db)
    const accounts = new AccountRegistry({
      store,
      events,
      clock,
      random,
      extraCaCertificates: options.extraCaCertificates ?? [],
      omemoSettings: () => readOmemoSettings(store),
    })
    unlocked = { store, accounts, keyDigest }
    events.emit('app:changed', appState())
    accounts.startAll()
  }

  const ready = (): Unlocked => {
    if (!unlocked) throw new CoreError('locked', 'Unlock the app first')
    return unlocked
  }

  async function changePassphrase(current: string, next: string): Promise<AppStateDto> {
    const settings = options.keyProvider.passphraseSettings
    if (options.keyProvider.protection !== 'passphrase' || !settings) {
      throw new CoreError('conflict', 'This database is protected by the system keychain, not a passphrase')
    }
    const state = ready()
    if (!state.keyDigest) throw new CoreError('internal', 'The key in use is unknown')
    state.keyDigest = await changeDatabasePassphrase({ db: state.store.db, settings, inUse: state.keyDigest, current, next })
    return appState()
  }

  const handlers: Handlers = {
    'app:state': () => appState(),
    'app:unlock': async ({ passphrase }) => {
      if (!unlocked) {
        unlocking ??= unlock(passphrase).finally(() => (unlocking = null))
        await unlocking
      }
      return appState()
    },
    'app:changePassphrase': async ({ current, next }) => {
      if (changingPassphrase) throw new CoreError('conflict', 'The passphrase is being changed already')
      changingPassphrase = changePassphrase(current, next).finally(() => (changingPassphrase = null))
      return changingPassphrase
    },
    'app:getSettings': () => readAppSettings(ready().store.settings),
    'app:setSettings': (changes) => {
      const { settings, changed } = writeAppSettings(ready().store.settings, changes)
      if (changed) events.emit('app:settingsChanged', settings)
      return settings
    },
    'app:openUri': ({ uri }) => {
      const action = parseXmppUri(uri)
      if ('invalid' in action) throw new CoreError('invalid-input', action.invalid)
      return action
    },

    'accounts:list': () => ready().accounts.list(),
    'accounts:add': (input) => ready().accounts.add(input),
    'accounts:update': (input) => ready().accounts.update(input),
    'accounts:setEnabled': ({ accountId, enabled }) => ready().accounts.setEnabled(accountId, enabled),
    'accounts:remove': async ({ accountId }) => {
      await ready().accounts.remove(accountId)
      return null
    },
    'accounts:trustCertificate': ({ accountId, fingerprint }) => ready().accounts.trustCertificate(accountId, fingerprint),
    'accounts:reconnect': ({ accountId }) => ready().accounts.reconnect(accountId),
    'accounts:cancelLogin': ({ jid }) => {
      ready().accounts.cancelLogin(jid)
      return null
    },

    'roster:list': ({ accountId }) => ready().accounts.session(accountId).roster.list(),
    'roster:add': ({ accountId, jid, name }) => ready().accounts.session(accountId).roster.add(jid, name),
    'roster:rename': ({ accountId, jid, name }) => ready().accounts.session(accountId).roster.rename(jid, name),
    'roster:respond': ({ accountId, jid, accept }) => ready().accounts.session(accountId).roster.respond(jid, accept),
    'roster:remove': async ({ accountId, jid }) => {
      await ready().accounts.session(accountId).roster.remove(jid)
      return null
    },

    'conversations:list': ({ accountId }) => {
      const { store, accounts } = ready()
      accounts.session(accountId)
      return store.messages
        .conversations(accountId)
        .map((row) => conversationDto(store, accountId, row.peer))
        .sort((a, b) => (b.lastMessage?.timestamp ?? 0) - (a.lastMessage?.timestamp ?? 0))
    },
    'conversations:markRead': ({ accountId, peer }) => {
      const { store, accounts } = ready()
      accounts.session(accountId)
      store.messages.markRead(accountId, peer)
      const conversation = conversationDto(store, accountId, peer)
      events.emit('conversations:changed', conversation)
      return conversation
    },

    'conversations:get': async ({ accountId, peer }) => {
      const { store, accounts } = ready()
      const session = accounts.session(accountId)
      // "On by default when the contact has devices": look their devices up unless the user chose.
      if (session.state === 'online' && store.settings.conversationOmemo(accountId, peer) === null) {
        await session.omemo.lists.fetch(peer).catch((error: unknown) => console.warn(`[core] device list of ${peer}:`, (error as Error).message))
      }
      return conversationDto(store, accountId, peer)
    },

    'messages:list': ({ accountId, peer, beforeId, limit }) => {
      const { store, accounts } = ready()
      accounts.session(accountId)
      return store.messages.list(accountId, peer, limit ?? 50, beforeId).map(toMessageDto)
    },
    'messages:send': ({ accountId, to, body }) => ready().accounts.session(accountId).outbox.send(to, body),
    'messages:retry': ({ accountId, messageId }) => ready().accounts.session(accountId).outbox.retry(messageId),
    'conversations:setDraft': ({ accountId, peer, draft }) => {
      const { store, accounts } = ready()
      accounts.session(accountId)
      store.settings.setDraft(accountId, peer, draft)
      return null
    },

    'omemo:ownDevice': async ({ accountId }) => {
      const { omemo } = ready().accounts.session(accountId)
      await omemo.prepare()
      return omemo.ownDevice()
    },
    'omemo:devices': ({ accountId, jid }) => ready().accounts.session(accountId).omemo.devices(jid),
    'omemo:setConversationEncryption': ({ accountId, peer, enabled }) => {
      const { store, accounts } = ready()
      accounts.session(accountId)
      store.settings.setConversationOmemo(accountId, peer, enabled)
      const conversation = conversationDto(store, accountId, peer)
      events.emit('conversations:changed', conversation)
      return conversation
    },
    'trust:setDevice': ({ accountId, jid, deviceId, trust }) => ready().accounts.session(accountId).omemo.setTrust(jid, deviceId, trust),
    'trust:verifyUri': ({ accountId, uri }) => ready().accounts.session(accountId).omemo.verifyUri(uri),
    'settings:getOmemo': () => readOmemoSettings(ready().store),
    'settings:setOmemo': (changes) => {
      const { store } = ready()
      const next = { ...readOmemoSettings(store), ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) }
      store.settings.set(OMEMO_SETTINGS_KEY, next)
      return readOmemoSettings(store)
    },
  }

  if (options.keyProvider.protection === 'keychain') await unlock()

  return {
    call: (method, params) => dispatch(handlers, method, params),
    async request<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
      const outcome = await dispatch(handlers, method, params)
      if (!outcome.ok) throw new CoreError(outcome.error.code, outcome.error.message)
      return outcome.result as MethodResults[M]
    },
    subscribe: (listener) => events.subscribe(listener),
    openUri(uri) {
      const action = parseXmppUri(uri)
      if ('invalid' in action) {
        console.warn(`[core] refused an xmpp: link: ${action.invalid}`)
        events.emit('app:uriOpened', { kind: 'invalid', reason: action.invalid })
        return { ok: false, error: { code: 'invalid-input', message: action.invalid } }
      }
      events.emit('app:uriOpened', action)
      return { ok: true, result: action }
    },
    receiveForTesting: (accountId, stanza) => ready().accounts.session(accountId).receiveForTesting(stanza),
    async close() {
      await unlocking?.catch(() => undefined)
      await changingPassphrase?.catch(() => undefined)
      if (!unlocked) return
      const { store, accounts } = unlocked
      unlocked.keyDigest?.fill(0)
      unlocked = null
      await accounts.stopAll()
      store.db.close()
    },
  }
}
