import { randomInt } from 'node:crypto'
import { KeyHelper } from '@privacyresearch/libsignal-protocol-typescript'
import type { OmemoRepo, OwnDeviceRow } from '../store/repos/omemo-repo.ts'
import type { Db } from '../store/db.ts'
import { inTransaction } from '../store/db.ts'
import { toArrayBuffer, toBuffer } from './buffers.ts'
import { MAX_DEVICE_ID, type Bundle } from './protocol/legacy.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/** XEP-0384 §4.1: a random device id in 1..2^31-1 that no other device of the account uses. */
function unusedDeviceId(taken: ReadonlySet<number>): number {
  let deviceId = randomInt(1, MAX_DEVICE_ID + 1)
  while (taken.has(deviceId)) deviceId = randomInt(1, MAX_DEVICE_ID + 1)
  return deviceId
}

/** XEP-0384 §4.3: a previous signed prekey stays usable for a grace period after rotation. */
export const SIGNED_PREKEY_GRACE_MS = 14 * DAY_MS

export interface OwnDeviceSettings {
  preKeyCount: number
  signedPreKeyRotationDays: number
}

/**
 * This client's OMEMO device for one account: identity key, signed prekey (rotated, the previous one
 * kept for a grace period) and prekeys (refilled when used). Keys are generated asynchronously before
 * login (smack's initializeAsync), so the UI never waits on them.
 */
export class OwnDevice {
  readonly #db: Db
  readonly #repo: OmemoRepo
  readonly #accountId: number
  readonly #clock: () => number

  constructor(deps: { db: Db; repo: OmemoRepo; accountId: number; clock: () => number }) {
    this.#db = deps.db
    this.#repo = deps.repo
    this.#accountId = deps.accountId
    this.#clock = deps.clock
  }

  get row(): OwnDeviceRow | undefined {
    return this.#repo.ownDevice(this.#accountId)
  }

  /** Creates the device on first use. `taken`: device ids already in our published list (§4.1: pick a new one). */
  async ensure(settings: OwnDeviceSettings, taken: ReadonlySet<number> = new Set()): Promise<OwnDeviceRow> {
    const existing = this.row
    if (existing) {
      await this.maintain(settings)
      return this.row!
    }
    const identity = await KeyHelper.generateIdentityKeyPair()
    const deviceId = unusedDeviceId(taken)
    const signed = await KeyHelper.generateSignedPreKey(identity, 1)
    const preKeys = await this.#generatePreKeys(1, settings.preKeyCount)
    inTransaction(this.#db, () => {
      this.#repo.insertOwnDevice({
        account_id: this.#accountId,
        device_id: deviceId,
        identity_public: toBuffer(identity.pubKey),
        identity_private: toBuffer(identity.privKey),
        next_prekey_id: settings.preKeyCount + 1,
        created_at: this.#clock(),
      })
      this.#repo.storeSignedPreKey(this.#accountId, {
        key_id: signed.keyId,
        public_key: toBuffer(signed.keyPair.pubKey),
        private_key: toBuffer(signed.keyPair.privKey),
        signature: toBuffer(signed.signature),
        created_at: this.#clock(),
      })
      for (const key of preKeys) this.#repo.storePreKey(this.#accountId, key)
    })
    return this.row!
  }

  /**
   * Moves this device to a new id not in `taken` (nor its current one), keeping its keys: its id turned out
   * to be another device's (§4.1). The bundle is marked for publishing under the new id.
   */
  changeId(taken: ReadonlySet<number>): OwnDeviceRow {
    const own = this.row
    if (!own) throw new Error('The OMEMO device is not initialised yet')
    this.#repo.setOwnDeviceId(this.#accountId, unusedDeviceId(new Set([...taken, own.device_id])))
    return this.row!
  }

  /**
   * Refill prekeys to the configured count and rotate the signed prekey when it is old; returns true
   * if the bundle changed and must be published again.
   */
  async maintain(settings: OwnDeviceSettings): Promise<boolean> {
    const own = this.row
    if (!own) return false
    let changed = false
    const missing = settings.preKeyCount - this.#repo.preKeys(this.#accountId).length
    if (missing > 0) {
      const fresh = await this.#generatePreKeys(own.next_prekey_id, missing)
      inTransaction(this.#db, () => {
        for (const key of fresh) this.#repo.storePreKey(this.#accountId, key)
        this.#repo.setNextPreKeyId(this.#accountId, own.next_prekey_id + missing)
      })
      changed = true
    }
    const signed = this.#repo.signedPreKeys(this.#accountId)
    const newest = signed[0]
    const now = this.#clock()
    if (!newest || now - newest.created_at > settings.signedPreKeyRotationDays * DAY_MS) {
      const identity = { pubKey: toArrayBuffer(own.identity_public), privKey: toArrayBuffer(own.identity_private) }
      const next = await KeyHelper.generateSignedPreKey(identity, ((newest?.key_id ?? 0) % 0xffffff) + 1)
      this.#repo.storeSignedPreKey(this.#accountId, {
        key_id: next.keyId,
        public_key: toBuffer(next.keyPair.pubKey),
        private_key: toBuffer(next.keyPair.privKey),
        signature: toBuffer(next.signature),
        created_at: now,
      })
      changed = true
    }
    // Older signed prekeys go once the grace period after their successor's creation has passed.
    for (const [index, key] of signed.entries()) {
      const successor = index === 0 ? undefined : signed[index - 1]
      if (successor && now - successor.created_at > SIGNED_PREKEY_GRACE_MS) this.#repo.removeSignedPreKey(this.#accountId, key.key_id)
    }
    if (changed) this.#repo.setBundleDirty(this.#accountId, true)
    return changed
  }

  bundle(): Bundle {
    const own = this.row
    const signed = this.#repo.signedPreKeys(this.#accountId)[0]
    if (!own || !signed) throw new Error('The OMEMO device is not initialised')
    return {
      identityKey: own.identity_public,
      signedPreKey: { id: signed.key_id, publicKey: signed.public_key, signature: signed.signature },
      preKeys: this.#repo.preKeys(this.#accountId).map((key) => ({ id: key.key_id, publicKey: key.public_key })),
    }
  }

  async #generatePreKeys(firstId: number, count: number) {
    const keys = []
    for (let id = firstId; id < firstId + count; id++) {
      const key = await KeyHelper.generatePreKey(id)
      keys.push({ key_id: key.keyId, public_key: toBuffer(key.keyPair.pubKey), private_key: toBuffer(key.keyPair.privKey) })
    }
    return keys
  }
}
