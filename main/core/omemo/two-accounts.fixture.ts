/**
 * For socketless OMEMO tests: alice and bob as two accounts in one real SQLCipher store, each with an
 * OmemoService, and bob holding a session with alice's device (built from her bundle, as after a fetch), so
 * `fromBob` produces real messages for alice's receive pipeline. Alice's link is the test's to choose.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionBuilder, SessionCipher, SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import xml, { type Element } from '@xmpp/xml'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import { MessageIngest } from '../chat/message-ingest.ts'
import { CoreEvents } from '../events.ts'
import { openDatabase } from '../store/db.ts'
import { migrate } from '../store/migrate.ts'
import { createStore, type Store } from '../store/store.ts'
import { toArrayBuffer } from './buffers.ts'
import { DEFAULT_OMEMO_SETTINGS, type OmemoContext } from './omemo-context.ts'
import { OmemoService } from './omemo-service.ts'
import { OwnDevice } from './own-device.ts'
import { sealPayload } from './payload-crypto.ts'
import { encryptedElement, type Encrypted } from './protocol/legacy.ts'
import { StagedSignalStore } from './signal-store.ts'

export const ALICE = 'alice@example.org'
export const BOB = 'bob@example.org'

/** A link that only says "not connected". */
export const offlineLink = (accountId: number, ownBareJid: string): XmppLink => ({
  accountId,
  ownBareJid,
  isOnline: () => false,
  send: async () => {
    throw new Error('offline')
  },
  request: async () => {
    throw new Error('offline')
  },
  acknowledgeStanzas: () => undefined,
})

export interface TwoAccounts {
  store: Store
  events: CoreEvents
  aliceId: number
  aliceDeviceId: number
  bobDeviceId: number
  /** Alice's OMEMO and receive pipeline. */
  omemo: OmemoService
  ingest: MessageIngest
  /** An OMEMO context of a further account of this store (another sender, an impostor). */
  contextFor(accountId: number, jid: string, events?: CoreEvents): OmemoContext
  /** A valid message from bob's device to alice's, advancing bob's session. */
  fromBob(text: string): Promise<{ message: Element; encrypted: Encrypted }>
  /** Wraps an <encrypted/> in a chat message from bob with a fresh id. */
  wrap(encrypted: Element): Element
  close(): void
}

export async function twoAccounts(options: { aliceLink?: (accountId: number) => XmppLink; warn?: (message: string) => void } = {}): Promise<TwoAccounts> {
  const dir = mkdtempSync(join(tmpdir(), 'omemo-two-accounts-'))
  const db = openDatabase(join(dir, 'test.db'), randomBytes(32))
  migrate(db)
  const store = createStore(db)
  const alice = store.accounts.insert({ jid: ALICE, password: 'x', resource: 'r', host: null, port: null, createdAt: 1 })
  const bob = store.accounts.insert({ jid: BOB, password: 'x', resource: 'r', host: null, port: null, createdAt: 1 })
  const events = new CoreEvents()
  const contextFor = (accountId: number, jid: string, ownEvents = events, link = offlineLink(accountId, jid)): OmemoContext => ({
    link,
    store,
    events: ownEvents,
    clock: Date.now,
    settings: () => ({ ...DEFAULT_OMEMO_SETTINGS, preKeyCount: 20 }),
    warn: options.warn ?? (() => undefined),
  })
  const omemo = new OmemoService(contextFor(alice.id, ALICE, events, options.aliceLink?.(alice.id)))
  const bobOmemo = new OmemoService(contextFor(bob.id, BOB))
  await omemo.prepare()
  await bobOmemo.prepare()
  const aliceDeviceId = store.omemo.ownDevice(alice.id)!.device_id
  const bobDeviceId = store.omemo.ownDevice(bob.id)!.device_id
  const ingest = new MessageIngest({ accountId: alice.id, ownBareJid: ALICE, store, events, clock: Date.now, omemo })
  const bobStaged = () => new StagedSignalStore({ repo: store.omemo, own: store.omemo.ownDevice(bob.id)!, initialTrust: () => 'blind', clock: Date.now })

  // Bob builds a session from alice's bundle (as he would after fetching it).
  const aliceBundle = new OwnDevice({ db, repo: store.omemo, accountId: alice.id, clock: Date.now }).bundle()
  const staged = bobStaged()
  await new SessionBuilder(staged, new SignalProtocolAddress(ALICE, aliceDeviceId)).processPreKey({
    identityKey: toArrayBuffer(aliceBundle.identityKey),
    signedPreKey: { keyId: aliceBundle.signedPreKey.id, publicKey: toArrayBuffer(aliceBundle.signedPreKey.publicKey), signature: toArrayBuffer(aliceBundle.signedPreKey.signature) },
    preKey: { keyId: aliceBundle.preKeys[0]!.id, publicKey: toArrayBuffer(aliceBundle.preKeys[0]!.publicKey) },
    registrationId: aliceDeviceId,
  })
  db.transaction(() => staged.commit())()

  let counter = 0
  const wrap = (encrypted: Element): Element => {
    counter += 1
    return xml('message', { from: `${BOB}/phone`, to: ALICE, type: 'chat', id: `m${counter}` }, encrypted, xml('body', {}, 'fallback'))
  }
  const fromBob = async (text: string) => {
    const session = bobStaged()
    const sealed = sealPayload(Buffer.from(text))
    const signal = await new SessionCipher(session, new SignalProtocolAddress(ALICE, aliceDeviceId)).encrypt(toArrayBuffer(sealed.keyAndTag))
    db.transaction(() => session.commit())()
    const encrypted: Encrypted = {
      sid: bobDeviceId,
      keys: [{ rid: aliceDeviceId, preKey: signal.type === 3, data: Buffer.from(signal.body!, 'binary') }],
      iv: sealed.iv,
      payload: sealed.ciphertext,
    }
    return { message: wrap(encryptedElement(encrypted)), encrypted }
  }
  return {
    store,
    events,
    aliceId: alice.id,
    aliceDeviceId,
    bobDeviceId,
    omemo,
    ingest,
    contextFor: (accountId, jid, ownEvents) => contextFor(accountId, jid, ownEvents),
    fromBob,
    wrap,
    close: () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
