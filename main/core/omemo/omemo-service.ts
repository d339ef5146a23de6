import xml, { type Element } from '@xmpp/xml'
import { randomUUID } from 'node:crypto'
import type { DeviceDto, OwnDeviceDto, TrustState } from '../../../preload/api.ts'
import { CoreError } from '../errors.ts'
import { inTransaction } from '../store/db.ts'
import type { DeviceRow, OwnDeviceRow } from '../store/repos/omemo-repo.ts'
import { decryptFromDevice, type DecryptOutcome } from './decryptor.ts'
import { DeviceLists } from './device-lists.ts'
import { encryptForPlan, planRecipients, type DeviceRef, type EncryptionResult } from './encryptor.ts'
import { mapBounded } from './map-bounded.ts'
import { fingerprintHex, groupedFingerprint, parseVerificationUri, verificationUri } from './fingerprint.ts'
import type { OmemoContext } from './omemo-context.ts'
import { OwnDevice } from './own-device.ts'
import { fetchItem, publishOpen } from './pep.ts'
import {
  bundleElement,
  bundleNode,
  encryptedElement,
  FALLBACK_BODY,
  messageDecorations,
  NS_OMEMO,
  parseBundle,
  parseEncrypted,
  type Encrypted,
} from './protocol/legacy.ts'

const REPAIR_INTERVAL_MS = 60 * 60 * 1000

/**
 * OMEMO for one account: our device and its publication, contacts' devices, trust, and the
 * encrypt/decrypt steps the chat pipeline calls. Prekey republishing and rekeying after a
 * PreKeySignalMessage wait until the archive catch-up has finished (XEP-0384 §4.7, smack).
 */
export class OmemoService {
  readonly lists: DeviceLists
  readonly #context: OmemoContext
  readonly #own: OwnDevice
  #ready: Promise<void> | null = null
  #sessionLock: Promise<unknown> = Promise.resolve()
  #catchingUp = false
  #republishPending = false
  readonly #rekeyPending = new Map<string, DeviceRef>()
  /** Devices whose message could not be decrypted during the catch-up: repaired after it, unless one of their later messages decrypts. */
  readonly #repairPending = new Map<string, DeviceRef>()

  constructor(context: OmemoContext) {
    this.#context = context
    this.lists = new DeviceLists(context)
    this.#own = new OwnDevice({ db: context.store.db, repo: context.store.omemo, accountId: context.link.accountId, clock: context.clock })
  }

  /**
   * Runs `work` (a decrypt or encrypt and the commit of its ratchet step) with no other session work of
   * this account in between: two operations on one session must not interleave, or one's write would
   * overwrite the other's ratchet state.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#sessionLock.then(work, work)
    this.#sessionLock = run.catch(() => undefined)
    return run
  }

  /** Generate our device's keys in the background, before login, so no offline message is missed. */
  prepare(): Promise<void> {
    this.#ready ??= this.#own.ensure(this.#context.settings()).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = null // try again next time instead of failing forever
        throw error
      },
    )
    return this.#ready
  }

  /** After login: make sure our device is in our published list and our bundle is current. */
  async announce(): Promise<void> {
    await this.prepare()
    let own = this.#own.row!
    const listed = await this.lists.fetch(this.#context.link.ownBareJid, true)
    // §4.1: our id must be no other device's. The keys were made before login, when the list was not known;
    // if the listed id's bundle carries another identity key, another client of this account has it.
    if (listed.includes(own.device_id) && (await this.#idTakenByAnotherDevice(own))) {
      const taken = own.device_id
      own = this.#own.changeId(new Set(listed))
      this.#context.warn(`device id ${taken} belongs to another device of this account; this device is now ${own.device_id}`)
    }
    await this.#own.maintain(this.#context.settings())
    await this.#publishBundle()
    if (!listed.includes(own.device_id)) await this.lists.publishOwn([...listed, own.device_id])
  }

  /** Whether the bundle published under our id has another identity key. Unknown (not fetchable) counts as ours. */
  async #idTakenByAnotherDevice(own: OwnDeviceRow): Promise<boolean> {
    const payload = await fetchItem(this.#context.link, this.#context.link.ownBareJid, bundleNode(own.device_id)).catch(() => null)
    const bundle = payload ? parseBundle(payload) : null
    return bundle !== null && !('invalid' in bundle) && !bundle.identityKey.equals(own.identity_public)
  }

  /** A PEP notification: device lists, including ours (re-announce if our id is missing, §4.2). */
  handleNotification(message: Element): boolean {
    const update = this.lists.handleNotification(message)
    if (!update) return false
    const own = this.#own.row
    if (own && update.jid === this.#context.link.ownBareJid && !update.ids.includes(own.device_id)) {
      this.#context.warn('our device was missing from our device list; announcing it again')
      void this.lists.publishOwn([...update.ids, own.device_id]).catch((error: unknown) => this.#context.warn(`re-announce failed: ${(error as Error).message}`))
    }
    return true
  }

  /** The archive catch-up runs: postpone prekey republishing and rekeying until it is done. */
  beginCatchUp(): void {
    this.#catchingUp = true
  }

  async endCatchUp(): Promise<void> {
    this.#catchingUp = false
    const repairs = [...this.#repairPending.values()]
    this.#repairPending.clear()
    for (const device of repairs) await this.#repair(device)
    await this.#afterPreKeyUse()
  }

  /** The <encrypted/> of an OMEMO message (null if it is unusable), or undefined for a message that is not OMEMO. */
  parseMessage(message: Element): Encrypted | null | undefined {
    const element = message.getChild('encrypted', NS_OMEMO)
    return element === undefined ? undefined : parseEncrypted(element)
  }

  /** Whether a message's <encrypted/> carries a message (a <payload/>), not a KeyTransportElement (§4.6); also when it is too broken to parse. */
  carriesMessage(message: Element): boolean {
    return message.getChild('encrypted', NS_OMEMO)?.getChild('payload') !== undefined
  }

  /** Decrypt an incoming <encrypted/>; nothing is stored until the returned outcome's commit. */
  async decrypt(senderJid: string, encrypted: Encrypted): Promise<DecryptOutcome> {
    await this.prepare()
    return decryptFromDevice(this.#context, senderJid, encrypted)
  }

  /** What to do once a decrypted message was stored: republish prekeys, rekey, or repair a session. */
  afterDecrypt(senderJid: string, outcome: DecryptOutcome): void {
    const device = { jid: senderJid, deviceId: outcome.senderDevice }
    const key = `${senderJid}.${outcome.senderDevice}`
    if (outcome.kind === 'message' || outcome.kind === 'key-transport') {
      // The session works: a failure earlier in the catch-up was that message's problem, not the session's.
      this.#repairPending.delete(key)
      if (outcome.usedPreKey) {
        this.#republishPending = true
        this.#rekeyPending.set(key, device)
        if (!this.#catchingUp) void this.#afterPreKeyUse()
      }
    }
    if (outcome.kind === 'identity-changed') {
      const message = `${senderJid} device ${outcome.senderDevice} presented a different identity key. Its message was refused.`
      this.#context.events.emit('security:warning', { accountId: this.#context.link.accountId, jid: senderJid, deviceId: outcome.senderDevice, message })
    }
    // §4.7: a message that really cannot be decrypted (no session, or it does not decrypt) gets the session healed
    // from our side, at most hourly per device; during a catch-up only after it, and only if nothing later decrypted.
    if (outcome.kind === 'failed' && outcome.senderDevice > 0) {
      if (this.#catchingUp) this.#repairPending.set(key, device)
      else void this.#repair(device)
    }
  }

  /**
   * Encrypt a chat message for a contact and our own other devices (§4.5): the network part first, outside the
   * session lock; then, under the lock, encryption and `persist`, which commits the ratchet steps together with
   * what they belong to (the message) before any other session work runs.
   */
  async encryptAndStore<T>(peer: string, text: string, persist: (result: EncryptionResult) => T): Promise<T> {
    await this.prepare()
    const plan = await planRecipients(this.#context, this.lists, peer)
    return this.exclusive(async () => persist(await encryptForPlan(this.#context, plan, Buffer.from(text, 'utf8'))))
  }

  /** The <message/> children for an encrypted message (§4.5 + hints, EME, fallback body). */
  messageChildren(result: EncryptionResult): Element[] {
    return [encryptedElement(result.encrypted), ...messageDecorations(this.#context.settings().fallbackBody ? FALLBACK_BODY : null)]
  }

  // ---- devices and trust -------------------------------------------------------------------

  ownDevice(): OwnDeviceDto {
    const own = this.#own.row
    if (!own) throw new CoreError('not-found', 'This account has no OMEMO device yet')
    const jid = this.#context.link.ownBareJid
    return {
      accountId: own.account_id,
      deviceId: own.device_id,
      fingerprint: groupedFingerprint(own.identity_public),
      verificationUri: verificationUri(jid, own.device_id, own.identity_public),
    }
  }

  async devices(jid: string): Promise<DeviceDto[]> {
    if (this.#context.link.isOnline()) {
      await this.lists.fetch(jid).catch(() => undefined)
      await this.#fetchMissingIdentities(jid)
    }
    return this.#context.store.omemo.devices(this.#context.link.accountId, jid).map((row) => this.#deviceDto(row))
  }

  setTrust(jid: string, deviceId: number, trust: Exclude<TrustState, 'undecided'>): DeviceDto {
    const row = this.#context.store.omemo.device(this.#context.link.accountId, jid, deviceId)
    if (!row) throw new CoreError('not-found', `${jid} has no device ${deviceId}`)
    if (trust === 'verified' && !row.identity_key) throw new CoreError('conflict', 'The fingerprint of this device is not known yet; it cannot be verified')
    const updated = { ...row, trust }
    this.#context.store.omemo.saveDevice(updated)
    this.#context.events.emit('omemo:devicesChanged', { accountId: row.account_id, jid })
    return this.#deviceDto(updated)
  }

  /** Verify the device a `xmpp:JID?omemo-sid-ID=FP` URI names, if its fingerprint matches (§… smack: trust by fingerprint). */
  async verifyUri(uri: string): Promise<DeviceDto> {
    const claims = parseVerificationUri(uri)
    if (!claims) throw new CoreError('invalid-input', 'This is not an OMEMO verification link (xmpp:JID?omemo-sid-ID=FINGERPRINT)')
    let verified: DeviceDto | null = null
    for (const claim of claims) {
      await this.devices(claim.jid)
      const row = this.#context.store.omemo.device(this.#context.link.accountId, claim.jid, claim.deviceId)
      if (!row?.identity_key) throw new CoreError('not-found', `${claim.jid} device ${claim.deviceId} is not known (no published keys)`)
      if (fingerprintHex(row.identity_key) !== claim.fingerprint) {
        throw new CoreError('conflict', `The fingerprint of ${claim.jid} device ${claim.deviceId} does not match the link: do not trust it`)
      }
      verified = this.setTrust(claim.jid, claim.deviceId, 'verified')
    }
    return verified!
  }

  // ---- internals -----------------------------------------------------------------------------

  async #publishBundle(): Promise<void> {
    const own = this.#own.row!
    await publishOpen(this.#context.link, bundleNode(own.device_id), bundleElement(this.#own.bundle()))
    this.#context.store.omemo.setBundleDirty(this.#context.link.accountId, false)
  }

  /** §4.7 / smack: after a prekey was used, refill and republish the bundle, then rekey each sender. */
  async #afterPreKeyUse(): Promise<void> {
    if (!this.#context.link.isOnline()) return
    try {
      if (this.#republishPending) {
        this.#republishPending = false
        await this.#own.maintain(this.#context.settings())
        await this.#publishBundle()
      }
      const targets = [...this.#rekeyPending.values()]
      this.#rekeyPending.clear()
      for (const target of targets) await this.#sendKeyTransport(target.jid, [target])
    } catch (error) {
      this.#context.warn(`republishing after prekey use failed: ${(error as Error).message}`)
    }
  }

  /**
   * A session that cannot decrypt: build a fresh one from the device's bundle and tell the device with a key
   * transport, at most hourly per device. The old session stays as an old session of the record, so whichever one
   * the device sends its next message on, it decrypts (python-omemo, for one, keeps sending on its old session).
   */
  async #repair(device: DeviceRef): Promise<void> {
    const { store, link, clock, settings } = this.#context
    if (!settings().repairSessions || !link.isOnline()) return
    const row = store.omemo.device(link.accountId, device.jid, device.deviceId)
    if (!row || (row.last_repair_at !== null && clock() - row.last_repair_at < REPAIR_INTERVAL_MS)) return
    store.omemo.saveDevice({ ...row, last_repair_at: clock() })
    await this.#sendKeyTransport(device.jid, [device], true).catch((error: unknown) =>
      this.#context.warn(`session repair with ${device.jid}/${device.deviceId} failed: ${(error as Error).message}`),
    )
  }

  /** §4.6: a KeyTransportElement (no payload) to the given devices; updates their ratchets (`fresh`: new sessions). */
  async #sendKeyTransport(jid: string, devices: DeviceRef[], fresh = false): Promise<void> {
    const plan = await planRecipients(this.#context, this.lists, jid, { onlyDevices: devices, fresh })
    const result = await this.exclusive(async () => {
      const encrypted = await encryptForPlan(this.#context, plan, null)
      inTransaction(this.#context.store.db, () => encrypted.commit())
      return encrypted
    })
    if (result.encrypted.keys.length === 0) return
    await this.#context.link.send(
      xml('message', { to: jid, type: 'chat', id: randomUUID() }, encryptedElement(result.encrypted), xml('store', { xmlns: 'urn:xmpp:hints' })),
    )
  }

  /** Fetch bundles of devices whose identity key we do not know yet, so fingerprints can be shown. */
  async #fetchMissingIdentities(jid: string): Promise<void> {
    const { store, link } = this.#context
    const own = this.#own.row
    if (!own) return
    const unknown = store.omemo.devices(link.accountId, jid).filter((device) => !device.identity_key && device.active === 1)
    await mapBounded(unknown, 8, async (device) => {
      const bundle = parseBundle((await fetchItem(link, jid, bundleNode(device.device_id)).catch(() => null)) ?? undefined)
      const current = store.omemo.device(link.accountId, jid, device.device_id)
      if (!('invalid' in bundle) && current && !current.identity_key) store.omemo.saveDevice({ ...current, identity_key: bundle.identityKey })
    })
  }

  #deviceDto(row: DeviceRow): DeviceDto {
    const { link } = this.#context
    const own = this.#own.row
    const isOwnAccount = row.jid === link.ownBareJid
    return {
      accountId: row.account_id,
      jid: row.jid,
      deviceId: row.device_id,
      fingerprint: row.identity_key ? groupedFingerprint(row.identity_key) : isOwnAccount && own?.device_id === row.device_id ? groupedFingerprint(own.identity_public) : null,
      trust: row.trust,
      active: row.active === 1,
      own: isOwnAccount,
      thisDevice: isOwnAccount && own?.device_id === row.device_id,
      lastMessageAt: row.last_message_at,
    }
  }
}
