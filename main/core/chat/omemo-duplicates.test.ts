import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import { encryptedElement, NS_OMEMO } from '../omemo/protocol/legacy.ts'
import { ALICE, BOB, twoAccounts, type TwoAccounts } from '../omemo/two-accounts.fixture.ts'
import { IqError } from '../xmpp/iq-requester.ts'

/**
 * Issue 9 / XEP-0384 §4.7: a copy of a message we handled (the archive re-delivering a live one, a body-less key
 * transport included) is dropped before any decryption; a message whose key was already used is a duplicate,
 * never an error and never a reason to repair; repairs wait for the end of a catch-up and are called off when a
 * later message of that device decrypts.
 */

/** Online; fetches find nothing (no bundle to repair with), so a repair is visible only as its rate-limit mark. */
function onlineLink(accountId: number): XmppLink {
  return {
    accountId,
    ownBareJid: ALICE,
    isOnline: () => true,
    send: async () => undefined,
    request: async () => {
      throw new IqError('item-not-found', undefined)
    },
    acknowledgeStanzas: () => undefined,
  }
}

let fixture: TwoAccounts

beforeEach(async () => {
  fixture = await twoAccounts({ aliceLink: onlineLink })
  // Bob's first message gives alice her side of the session.
  const first = await fixture.ingest.ingest((await fixture.fromBob('hello')).message, { kind: 'live' })
  expect(first.kind === 'stored' && first.row.body).toBe('hello')
})

afterEach(() => fixture.close())

const archived = (index: number) => ({ kind: 'archive' as const, archiveId: `archive-${index}`, timestamp: Date.now() })
const stored = () => fixture.store.messages.list(fixture.aliceId, BOB, 100).map((row) => row.body || `(${row.undecryptable})`)
const lastRepairAt = () => fixture.store.omemo.device(fixture.aliceId, BOB, fixture.bobDeviceId)?.last_repair_at ?? null

describe('copies of handled OMEMO messages', () => {
  it('an archived copy of a handled key transport (no body, no payload) is dropped before decryption', async () => {
    const { encrypted } = await fixture.fromBob('only the key is used')
    const keyTransport = fixture.wrap(encryptedElement({ ...encrypted, payload: null }))
    expect((await fixture.ingest.ingest(keyTransport, { kind: 'live' })).kind).toBe('ignored')

    // Were the copy decrypted again, it would now fail (no session left) and show as a warning.
    fixture.store.db.prepare('DELETE FROM omemo_sessions').run()
    const copy = fixture.wrap(keyTransport.getChild('encrypted', NS_OMEMO)!)
    expect((await fixture.ingest.ingest(copy, archived(1))).kind).toBe('duplicate')
    expect(stored()).toEqual(['hello'])
    expect(lastRepairAt()).toBeNull()
  })

  it('an archived copy of a live message is dropped before decryption, also under another stanza id', async () => {
    const { message } = await fixture.fromBob('seen live')
    expect((await fixture.ingest.ingest(message, { kind: 'live' })).kind).toBe('stored')
    fixture.store.db.prepare('DELETE FROM omemo_sessions').run()
    const copy = fixture.wrap(message.getChild('encrypted', NS_OMEMO)!)
    expect((await fixture.ingest.ingest(copy, archived(2))).kind).toBe('duplicate')
    expect(stored()).toEqual(['hello', 'seen live'])
  })

  it('a message whose key was already used (repeated counter) is a duplicate: not shown, not repaired', async () => {
    const { message, encrypted } = await fixture.fromBob('once only')
    expect((await fixture.ingest.ingest(message, { kind: 'live' })).kind).toBe('stored')
    // Same key, another IV: not recognised by the handled-message record, so decryption meets the used counter.
    const replay = fixture.wrap(encryptedElement({ ...encrypted, iv: randomBytes(12) }))
    expect((await fixture.ingest.ingest(replay, { kind: 'live' })).kind).toBe('duplicate')
    expect(stored()).toEqual(['hello', 'once only'])
    expect(lastRepairAt()).toBeNull()
    const next = await fixture.ingest.ingest((await fixture.fromBob('the session is fine')).message, { kind: 'live' })
    expect(next.kind === 'stored' && next.row.body).toBe('the session is fine')
  })
})

describe('session repair', () => {
  const garbageFromBob = async () => {
    const { encrypted } = await fixture.fromBob('about to be broken')
    return fixture.wrap(encryptedElement({ ...encrypted, keys: [{ ...encrypted.keys[0]!, preKey: false, data: randomBytes(80) }] }))
  }

  it('waits for the end of a catch-up and is called off when a later message of the device decrypts', async () => {
    fixture.omemo.beginCatchUp()
    expect((await fixture.ingest.ingest(await garbageFromBob(), archived(3))).kind).toBe('stored')
    expect(lastRepairAt()).toBeNull()
    const after = await fixture.ingest.ingest((await fixture.fromBob('readable after the bad one')).message, archived(4))
    expect(after.kind === 'stored' && after.row.body).toBe('readable after the bad one')
    await fixture.omemo.endCatchUp()
    expect(stored()).toEqual(['hello', '(bad-message)', 'readable after the bad one'])
    expect(lastRepairAt()).toBeNull()
  })

  it('runs once after the catch-up when nothing later of that device decrypted, and at once for a live message', async () => {
    fixture.omemo.beginCatchUp()
    await fixture.ingest.ingest(await garbageFromBob(), archived(5))
    await fixture.ingest.ingest(await garbageFromBob(), archived(6))
    expect(lastRepairAt()).toBeNull()
    await fixture.omemo.endCatchUp()
    const repairedAt = lastRepairAt()
    expect(repairedAt).not.toBeNull()

    // Rate-limited: another bad live message within the hour does not repair again.
    await fixture.ingest.ingest(await garbageFromBob(), { kind: 'live' })
    expect(lastRepairAt()).toBe(repairedAt)
  })

  it('repairs a live undecryptable message without waiting', async () => {
    await fixture.ingest.ingest(await garbageFromBob(), { kind: 'live' })
    expect(lastRepairAt()).not.toBeNull()
  })
})
