import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../store/db.ts'
import { migrate } from '../store/migrate.ts'
import { createStore, type Store } from '../store/store.ts'
import { OwnDevice, SIGNED_PREKEY_GRACE_MS } from './own-device.ts'
import { parseBundle, bundleElement } from './protocol/legacy.ts'

const DAY = 24 * 60 * 60 * 1000
let dir: string
let store: Store
let now: number
let device: OwnDevice
const settings = { preKeyCount: 30, signedPreKeyRotationDays: 7 }

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'own-device-'))
  const db = openDatabase(join(dir, 't.db'), randomBytes(32))
  migrate(db)
  store = createStore(db)
  const account = store.accounts.insert({ jid: 'a@b', password: 'p', resource: 'r', host: null, port: null, createdAt: 0 })
  now = Date.UTC(2026, 0, 1)
  device = new OwnDevice({ db, repo: store.omemo, accountId: account.id, clock: () => now })
})
afterEach(() => {
  store.db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('our OMEMO device (XEP-0384 §4.1, §4.3)', () => {
  it('gets a device id not already taken, an identity key, a signed prekey and the configured prekeys', async () => {
    const taken = new Set(Array.from({ length: 50 }, (_, i) => i + 1))
    const row = await device.ensure(settings, taken)
    expect(row.device_id).toBeGreaterThanOrEqual(1)
    expect(row.device_id).toBeLessThanOrEqual(2 ** 31 - 1)
    expect(taken.has(row.device_id)).toBe(false)
    const bundle = parseBundle(bundleElement(device.bundle()))
    expect('invalid' in bundle).toBe(false)
    if (!('invalid' in bundle)) expect(bundle.preKeys).toHaveLength(30)
    // Idempotent: a second call keeps the same device.
    expect((await device.ensure(settings)).device_id).toBe(row.device_id)
  })

  it('moves to a new id, not taken and not its old one, with the same keys, and marks the bundle for publishing', async () => {
    const row = await device.ensure(settings)
    store.omemo.setBundleDirty(row.account_id, false)
    const taken = new Set([row.device_id, 7, 8])
    const moved = device.changeId(taken)
    expect(taken.has(moved.device_id)).toBe(false)
    expect(moved.identity_public.equals(row.identity_public)).toBe(true)
    expect(moved.bundle_dirty).toBe(1)
    expect(store.omemo.ownDevice(row.account_id)!.device_id).toBe(moved.device_id)
  })

  it('refills used prekeys with fresh ids and marks the bundle for publishing', async () => {
    const row = await device.ensure(settings)
    store.omemo.setBundleDirty(row.account_id, false)
    const before = store.omemo.preKeys(row.account_id).map((key) => key.key_id)
    store.omemo.removePreKey(row.account_id, before[0]!)
    store.omemo.removePreKey(row.account_id, before[1]!)
    expect(await device.maintain(settings)).toBe(true)
    const after = store.omemo.preKeys(row.account_id).map((key) => key.key_id)
    expect(after).toHaveLength(30)
    expect(after).not.toContain(before[0])
    expect(Math.max(...after)).toBe(Math.max(...before) + 2)
    expect(store.omemo.ownDevice(row.account_id)!.bundle_dirty).toBe(1)
  })

  it('rotates the signed prekey after the rotation period and keeps the old one for the grace period', async () => {
    const row = await device.ensure(settings)
    const first = store.omemo.signedPreKeys(row.account_id)[0]!
    now += 6 * DAY
    expect(await device.maintain(settings)).toBe(false)
    now += 2 * DAY
    expect(await device.maintain(settings)).toBe(true)
    const [newest, previous] = store.omemo.signedPreKeys(row.account_id)
    expect(newest!.key_id).not.toBe(first.key_id)
    expect(previous!.key_id).toBe(first.key_id)
    expect(device.bundle().signedPreKey.id).toBe(newest!.key_id)
    now += SIGNED_PREKEY_GRACE_MS + 1
    await device.maintain({ ...settings, signedPreKeyRotationDays: 365 })
    expect(store.omemo.signedPreKeys(row.account_id).map((key) => key.key_id)).toEqual([newest!.key_id])
  })
})
