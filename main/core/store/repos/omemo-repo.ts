import type { TrustState } from '../../../../preload/api.ts'
import type { Db } from '../db.ts'

export interface OwnDeviceRow {
  account_id: number
  device_id: number
  identity_public: Buffer
  identity_private: Buffer
  next_prekey_id: number
  bundle_dirty: number
  created_at: number
}

export interface KeyRow {
  key_id: number
  public_key: Buffer
  private_key: Buffer
}

export interface SignedPreKeyRow extends KeyRow {
  signature: Buffer
  created_at: number
}

export interface DeviceRow {
  account_id: number
  jid: string
  device_id: number
  active: number
  identity_key: Buffer | null
  trust: TrustState
  first_seen_at: number
  last_message_at: number | null
  last_repair_at: number | null
}

/** Identifies one OMEMO message across its copies. */
export interface HandledOmemoMessage {
  jid: string
  deviceId: number
  iv: Buffer
}

export type OmemoRepo = ReturnType<typeof createOmemoRepo>

/** OMEMO state of all accounts (XEP-0384 v0.3): own device keys, contacts' devices, sessions. */
export function createOmemoRepo(db: Db) {
  const own = db.prepare<[number], OwnDeviceRow>('SELECT * FROM omemo_own_devices WHERE account_id = ?')
  const insertOwn = db.prepare(`
    INSERT INTO omemo_own_devices (account_id, device_id, identity_public, identity_private, next_prekey_id, created_at)
    VALUES (@account_id, @device_id, @identity_public, @identity_private, @next_prekey_id, @created_at)`)
  const setNextPreKeyId = db.prepare('UPDATE omemo_own_devices SET next_prekey_id = ? WHERE account_id = ?')
  const setBundleDirty = db.prepare('UPDATE omemo_own_devices SET bundle_dirty = ? WHERE account_id = ?')
  const setOwnDeviceId = db.prepare('UPDATE omemo_own_devices SET device_id = ?, bundle_dirty = 1 WHERE account_id = ?')

  const preKey = db.prepare<[number, number], KeyRow>('SELECT key_id, public_key, private_key FROM omemo_prekeys WHERE account_id = ? AND key_id = ?')
  const preKeys = db.prepare<[number], KeyRow>('SELECT key_id, public_key, private_key FROM omemo_prekeys WHERE account_id = ? ORDER BY key_id')
  const insertPreKey = db.prepare('INSERT OR REPLACE INTO omemo_prekeys (account_id, key_id, public_key, private_key) VALUES (?, ?, ?, ?)')
  const removePreKey = db.prepare('DELETE FROM omemo_prekeys WHERE account_id = ? AND key_id = ?')

  const signedPreKey = db.prepare<[number, number], SignedPreKeyRow>(
    'SELECT key_id, public_key, private_key, signature, created_at FROM omemo_signed_prekeys WHERE account_id = ? AND key_id = ?',
  )
  const signedPreKeys = db.prepare<[number], SignedPreKeyRow>(
    'SELECT key_id, public_key, private_key, signature, created_at FROM omemo_signed_prekeys WHERE account_id = ? ORDER BY created_at DESC, key_id DESC',
  )
  const insertSignedPreKey = db.prepare(
    'INSERT OR REPLACE INTO omemo_signed_prekeys (account_id, key_id, public_key, private_key, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const removeSignedPreKey = db.prepare('DELETE FROM omemo_signed_prekeys WHERE account_id = ? AND key_id = ?')

  const device = db.prepare<[number, string, number], DeviceRow>('SELECT * FROM omemo_devices WHERE account_id = ? AND jid = ? AND device_id = ?')
  const devices = db.prepare<[number, string], DeviceRow>('SELECT * FROM omemo_devices WHERE account_id = ? AND jid = ? ORDER BY device_id')
  const activeCount = db.prepare<[number, string], { n: number }>('SELECT count(*) AS n FROM omemo_devices WHERE account_id = ? AND jid = ? AND active = 1')
  const verifiedCount = db.prepare<[number, string], { n: number }>(
    "SELECT count(*) AS n FROM omemo_devices WHERE account_id = ? AND jid = ? AND trust = 'verified'",
  )
  const upsertDevice = db.prepare(`
    INSERT INTO omemo_devices (account_id, jid, device_id, active, identity_key, trust, first_seen_at, last_message_at, last_repair_at)
    VALUES (@account_id, @jid, @device_id, @active, @identity_key, @trust, @first_seen_at, @last_message_at, @last_repair_at)
    ON CONFLICT (account_id, jid, device_id) DO UPDATE SET active = excluded.active, identity_key = excluded.identity_key,
      trust = excluded.trust, last_message_at = excluded.last_message_at, last_repair_at = excluded.last_repair_at`)

  const session = db.prepare<[number, string, number], { record: string }>('SELECT record FROM omemo_sessions WHERE account_id = ? AND jid = ? AND device_id = ?')
  const storeSession = db.prepare(`
    INSERT INTO omemo_sessions (account_id, jid, device_id, record) VALUES (?, ?, ?, ?)
    ON CONFLICT (account_id, jid, device_id) DO UPDATE SET record = excluded.record`)
  const removeSession = db.prepare('DELETE FROM omemo_sessions WHERE account_id = ? AND jid = ? AND device_id = ?')

  const handled = db.prepare<[number, string, number, Buffer], { n: number }>(
    'SELECT count(*) AS n FROM omemo_handled_messages WHERE account_id = ? AND sender_jid = ? AND sender_device = ? AND iv = ?',
  )
  const markHandled = db.prepare(
    'INSERT OR IGNORE INTO omemo_handled_messages (account_id, sender_jid, sender_device, iv, handled_at) VALUES (?, ?, ?, ?, ?)',
  )

  return {
    ownDevice: (accountId: number) => own.get(accountId),
    insertOwnDevice: (row: Omit<OwnDeviceRow, 'bundle_dirty'>) => void insertOwn.run(row),
    /** A new device id for the same keys (the old one belongs to another device); the bundle must be published. */
    setOwnDeviceId: (accountId: number, deviceId: number) => void setOwnDeviceId.run(deviceId, accountId),
    setNextPreKeyId: (accountId: number, next: number) => void setNextPreKeyId.run(next, accountId),
    setBundleDirty: (accountId: number, dirty: boolean) => void setBundleDirty.run(dirty ? 1 : 0, accountId),

    preKey: (accountId: number, keyId: number) => preKey.get(accountId, keyId),
    preKeys: (accountId: number) => preKeys.all(accountId),
    storePreKey: (accountId: number, key: KeyRow) => void insertPreKey.run(accountId, key.key_id, key.public_key, key.private_key),
    removePreKey: (accountId: number, keyId: number) => void removePreKey.run(accountId, keyId),

    signedPreKey: (accountId: number, keyId: number) => signedPreKey.get(accountId, keyId),
    /** Newest first. */
    signedPreKeys: (accountId: number) => signedPreKeys.all(accountId),
    storeSignedPreKey: (accountId: number, key: SignedPreKeyRow) =>
      void insertSignedPreKey.run(accountId, key.key_id, key.public_key, key.private_key, key.signature, key.created_at),
    removeSignedPreKey: (accountId: number, keyId: number) => void removeSignedPreKey.run(accountId, keyId),

    device: (accountId: number, jid: string, deviceId: number) => device.get(accountId, jid, deviceId),
    devices: (accountId: number, jid: string) => devices.all(accountId, jid),
    hasActiveDevices: (accountId: number, jid: string) => activeCount.get(accountId, jid)!.n > 0,
    hasVerifiedDevice: (accountId: number, jid: string) => verifiedCount.get(accountId, jid)!.n > 0,
    saveDevice: (row: DeviceRow) => void upsertDevice.run(row),

    session: (accountId: number, jid: string, deviceId: number) => session.get(accountId, jid, deviceId)?.record,
    storeSession: (accountId: number, jid: string, deviceId: number, record: string) => void storeSession.run(accountId, jid, deviceId, record),
    removeSession: (accountId: number, jid: string, deviceId: number) => void removeSession.run(accountId, jid, deviceId),

    /**
     * XEP-0384 §4.7: an OMEMO message is identified by its sender, sender device and IV (random per message), which every
     * copy of it carries (live, carbon, offline, archive). Handled ones are remembered, also those that stored nothing.
     */
    wasHandled: (accountId: number, message: HandledOmemoMessage) => handled.get(accountId, message.jid, message.deviceId, message.iv)!.n > 0,
    markHandled: (accountId: number, message: HandledOmemoMessage, at: number) =>
      void markHandled.run(accountId, message.jid, message.deviceId, message.iv, at),
  }
}
