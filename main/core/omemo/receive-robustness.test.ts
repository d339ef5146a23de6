import { SessionBuilder, SessionCipher, SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import xml, { type Element } from '@xmpp/xml'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MessageIngest } from '../chat/message-ingest.ts'
import { CoreEvents } from '../events.ts'
import type { Store } from '../store/store.ts'
import { toArrayBuffer } from './buffers.ts'
import { OmemoService } from './omemo-service.ts'
import { OwnDevice } from './own-device.ts'
import { sealPayload } from './payload-crypto.ts'
import { encryptedElement, type Encrypted } from './protocol/legacy.ts'
import { StagedSignalStore } from './signal-store.ts'
import { ALICE, BOB, twoAccounts, type TwoAccounts } from './two-accounts.fixture.ts'

/**
 * XEP-0384 §4.7 robustness: whatever a sender puts in <encrypted/>, the receive pipeline neither
 * throws nor damages the session — the next valid message still decrypts.
 */

let fixture: TwoAccounts
let store: Store
let ingest: MessageIngest
let aliceDeviceId: number
let bobDeviceId: number
let bobSessionReady = false

beforeAll(async () => {
  fixture = await twoAccounts()
  ;({ store, ingest, aliceDeviceId, bobDeviceId } = fixture)
})

afterAll(() => fixture?.close())

const validFromBob = (text: string) => fixture.fromBob(text)
const wrap = (encrypted: Element) => fixture.wrap(encrypted)

const base64 = (data: Buffer) => data.toString('base64')

/** Ways to break an <encrypted/> built from a valid one. */
const mutations: Array<[string, (e: Encrypted, junk: Buffer) => Element]> = [
  ['missing sid', (e) => xml('encrypted', { xmlns: 'eu.siacs.conversations.axolotl' }, xml('header', {}, xml('key', { rid: String(aliceDeviceId) }, base64(e.keys[0]!.data)), xml('iv', {}, base64(e.iv))), xml('payload', {}, base64(e.payload!)))],
  ['missing iv', (e) => xml('encrypted', { xmlns: 'eu.siacs.conversations.axolotl' }, xml('header', { sid: String(e.sid) }, xml('key', { rid: String(aliceDeviceId) }, base64(e.keys[0]!.data))), xml('payload', {}, base64(e.payload!)))],
  ['missing rid', (e) => withHeader(e, xml('key', {}, base64(e.keys[0]!.data)))],
  ['bad base64 key', (e) => withHeader(e, xml('key', { rid: String(aliceDeviceId) }, '%%%not base64%%%'))],
  ['truncated key', (e, junk) => encryptedElement({ ...e, keys: [{ ...e.keys[0]!, data: e.keys[0]!.data.subarray(0, junk.length % e.keys[0]!.data.length) }] })],
  ['random key bytes', (e, junk) => encryptedElement({ ...e, keys: [{ ...e.keys[0]!, data: junk }] })],
  ['random key flagged prekey', (e, junk) => encryptedElement({ ...e, keys: [{ ...e.keys[0]!, data: junk, preKey: true }] })],
  ['wrong iv length', (e, junk) => encryptedElement({ ...e, iv: junk.subarray(0, 5) })],
  ['payload replaced', (e, junk) => encryptedElement({ ...e, payload: Buffer.concat([junk, Buffer.from([1])]) })],
  ['duplicated garbage keys', (e, junk) => encryptedElement({ ...e, keys: [{ ...e.keys[0]!, data: junk }, { ...e.keys[0]!, data: junk }] })],
  ['sid out of range', (e) => withSid(e, '4294967296')],
  ['negative sid', (e) => withSid(e, '-5')],
  ['empty element', () => xml('encrypted', { xmlns: 'eu.siacs.conversations.axolotl' })],
  ['garbage key before the real one', (e, junk) => encryptedElement({ ...e, keys: [{ ...e.keys[0]!, data: junk }, e.keys[0]!] })],
]

function withHeader(e: Encrypted, key: Element): Element {
  return xml('encrypted', { xmlns: 'eu.siacs.conversations.axolotl' }, xml('header', { sid: String(e.sid) }, key, xml('iv', {}, base64(e.iv))), xml('payload', {}, base64(e.payload!)))
}

function withSid(e: Encrypted, sid: string): Element {
  const element = encryptedElement(e)
  element.getChild('header')!.attrs.sid = sid
  return element
}

describe('malformed OMEMO input', () => {
  it('never throws out of the pipeline, never shows the fallback body, never corrupts the session', async () => {
    // Alice's first message from bob establishes her side of the session.
    const first = await validFromBob('hello alice')
    const outcome = await ingest.ingest(first.message, { kind: 'live' })
    expect(outcome.kind === 'stored' && outcome.row.body).toBe('hello alice')
    bobSessionReady = true

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: mutations.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 200 }), async (index, junkBytes) => {
        const [, mutate] = mutations[index]!
        // The broken message is built from a real one whose ratchet step alice then never sees.
        const { encrypted } = await validFromBob('this one gets broken')
        const broken = wrap(mutate(encrypted, Buffer.from(junkBytes)))
        const result = await ingest.ingest(broken, { kind: 'live' })
        if (result.kind === 'stored') {
          expect(result.row.body).not.toBe('fallback')
          expect(result.row.body === '' || result.row.body === 'this one gets broken').toBe(true)
        }
        const next = await validFromBob('still readable')
        const after = await ingest.ingest(next.message, { kind: 'live' })
        expect(after.kind === 'stored' && after.row.body).toBe('still readable')
      }),
      { numRuns: 60, seed: 384 },
    )
    expect(bobSessionReady).toBe(true)
  })

  it('refuses a known device that presents a different identity key, and raises a security warning', async () => {
    const warnings: string[] = []
    const events = new CoreEvents()
    events.subscribe((envelope) => {
      if (envelope.event === 'security:warning') warnings.push(envelope.payload.message)
    })
    // Someone else, claiming bob's device id, with a new identity key: a fresh session from alice's bundle.
    const impostorAccount = store.accounts.insert({ jid: 'impostor@example.org', password: 'x', resource: 'r', host: null, port: null, createdAt: 1 })
    const impostor = new OmemoService(fixture.contextFor(impostorAccount.id, 'impostor@example.org', events))
    await impostor.prepare()
    const row = store.omemo.ownDevice(impostorAccount.id)!
    const own = { ...row, device_id: bobDeviceId }
    const staged = new StagedSignalStore({ repo: store.omemo, own, initialTrust: () => 'blind', clock: Date.now })
    const bundle = new OwnDevice({ db: store.db, repo: store.omemo, accountId: store.accounts.getByJid(ALICE)!.id, clock: Date.now }).bundle()
    const address = new SignalProtocolAddress(ALICE, aliceDeviceId)
    await new SessionBuilder(staged, address).processPreKey({
      identityKey: toArrayBuffer(bundle.identityKey),
      signedPreKey: { keyId: bundle.signedPreKey.id, publicKey: toArrayBuffer(bundle.signedPreKey.publicKey), signature: toArrayBuffer(bundle.signedPreKey.signature) },
      preKey: { keyId: bundle.preKeys[1]!.id, publicKey: toArrayBuffer(bundle.preKeys[1]!.publicKey) },
      registrationId: aliceDeviceId,
    })
    const sealed = sealPayload(Buffer.from('trust me, I am bob'))
    const signal = await new SessionCipher(staged, address).encrypt(toArrayBuffer(sealed.keyAndTag))
    const forged = wrap(encryptedElement({ sid: bobDeviceId, keys: [{ rid: aliceDeviceId, preKey: true, data: Buffer.from(signal.body!, 'binary') }], iv: sealed.iv, payload: sealed.ciphertext }))

    const aliceEvents = new CoreEvents()
    aliceEvents.subscribe((envelope) => {
      if (envelope.event === 'security:warning') warnings.push(envelope.payload.message)
    })
    const aliceId = store.accounts.getByJid(ALICE)!.id
    const aliceOmemo = new OmemoService(fixture.contextFor(aliceId, ALICE, aliceEvents))
    const aliceIngest = new MessageIngest({ accountId: aliceId, ownBareJid: ALICE, store, events: aliceEvents, clock: Date.now, omemo: aliceOmemo })
    const result = await aliceIngest.ingest(forged, { kind: 'live' })
    expect(result.kind).toBe('stored')
    if (result.kind === 'stored') {
      expect(result.row.body).toBe('')
      expect(result.row.undecryptable).toBe('identity-changed')
    }
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`${BOB} device ${bobDeviceId} presented a different identity key`, 'u'))])
    // The real bob is still fine.
    const next = await validFromBob('the real bob')
    const after = await ingest.ingest(next.message, { kind: 'live' })
    expect(after.kind === 'stored' && after.row.body).toBe('the real bob')
  })
})
