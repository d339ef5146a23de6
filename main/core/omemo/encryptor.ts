import { SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import type { EncryptionReportDto, SkipReason } from '../../../preload/api.ts'
import { toArrayBuffer } from './buffers.ts'
import { buildSessionFromBundle, fetchBundle, type FetchedBundle } from './bundles.ts'
import type { DeviceLists } from './device-lists.ts'
import { mapBounded } from './map-bounded.ts'
import type { OmemoContext } from './omemo-context.ts'
import { trustForNewDevice } from './omemo-context.ts'
import { keyTransportMaterial, sealPayload } from './payload-crypto.ts'
import type { Encrypted, EncryptedKey } from './protocol/legacy.ts'
import { OmemoSessionCipher } from './ratchet/session-cipher.ts'
import { IdentityChangedError, StagedSignalStore } from './signal-store.ts'
import { skipReason } from './trust-policy.ts'

/** Bundles fetched at once (a large group of devices must not open hundreds of requests together). */
const PARALLEL_BUNDLE_FETCHES = 8

export interface EncryptionResult {
  encrypted: Encrypted
  report: EncryptionReportDto
  /** Encrypted for at least one of the contact's devices (own devices do not count). */
  reachesContact: boolean
  /** Store the ratchet steps; call in the transaction that records the message. */
  commit(): void
}

export type DeviceRef = { jid: string; deviceId: number }

/** Who a message will be encrypted for, with the network part done: lists refreshed, missing bundles fetched. */
export interface RecipientPlan {
  peer: string
  devices: DeviceRef[]
  /** Given devices only (a key transport): trust and activity are not checked. */
  explicit: boolean
  /** Build a new session from the bundle even where one exists (repair; the old one is kept as an old session). */
  fresh: boolean
  bundles: Map<string, FetchedBundle>
}

const addressOf = (ref: DeviceRef) => new SignalProtocolAddress(ref.jid, ref.deviceId).toString()

/**
 * The network half of XEP-0384 §4.5, done outside the session lock so a slow server never stalls other
 * decryptions: refresh the device lists of the contact and of our own account (in parallel), choose the
 * devices, and fetch the bundles of those without a session (in parallel, each with a time limit).
 * `onlyDevices` restricts to given devices (a KeyTransportElement to one device).
 */
export async function planRecipients(
  context: OmemoContext,
  lists: DeviceLists,
  peer: string,
  options: { onlyDevices?: readonly DeviceRef[]; fresh?: boolean } = {},
): Promise<RecipientPlan> {
  const { store, link, clock } = context
  const own = store.omemo.ownDevice(link.accountId)
  if (!own) throw new Error('The OMEMO device is not initialised yet')
  const { onlyDevices, fresh = false } = options
  const jids = [...new Set(onlyDevices ? onlyDevices.map((device) => device.jid) : [peer, link.ownBareJid])]
  await Promise.all(jids.map((jid) => lists.fetch(jid).catch((error: unknown) => context.warn(`device list of ${jid}: ${(error as Error).message}`))))

  const devices: DeviceRef[] = []
  const needBundle: DeviceRef[] = []
  const { inactiveDeviceDays } = context.settings()
  for (const jid of jids) {
    for (const device of store.omemo.devices(link.accountId, jid)) {
      if (jid === link.ownBareJid && device.device_id === own.device_id) continue
      const ref = { jid, deviceId: device.device_id }
      if (onlyDevices ? !onlyDevices.some((d) => d.jid === jid && d.deviceId === device.device_id) : device.active === 0) continue
      devices.push(ref)
      const refused = onlyDevices ? null : skipReason(device, clock(), inactiveDeviceDays)
      if (!refused && (fresh || store.omemo.session(link.accountId, jid, device.device_id) === undefined)) needBundle.push(ref)
    }
  }
  const fetched = await mapBounded(needBundle, PARALLEL_BUNDLE_FETCHES, (ref) => fetchBundle(context, { jid: ref.jid, device_id: ref.deviceId }))
  const bundles = new Map(needBundle.map((ref, index) => [addressOf(ref), fetched[index]!]))
  return { peer, devices, explicit: onlyDevices !== undefined, fresh, bundles }
}

/**
 * The cryptographic half, under the session lock, without network: build sessions from the fetched bundles
 * where needed and encrypt for every device the trust rules allow (as they are now). Reports every device
 * encrypted for or skipped, and why.
 */
export async function encryptForPlan(context: OmemoContext, plan: RecipientPlan, plaintext: Buffer | null): Promise<EncryptionResult> {
  const { store, link, clock } = context
  const own = store.omemo.ownDevice(link.accountId)
  if (!own) throw new Error('The OMEMO device is not initialised yet')
  const staged = new StagedSignalStore({ repo: store.omemo, own, initialTrust: (jid) => trustForNewDevice(context, jid), clock })
  const { keyAndTag, iv, ciphertext } = plaintext ? sealPayload(plaintext) : { ...keyTransportMaterial(), ciphertext: null }
  const keys: EncryptedKey[] = []
  const report: EncryptionReportDto = { encryptedFor: [], skipped: [] }
  const { inactiveDeviceDays } = context.settings()
  const skip = (ref: DeviceRef, reason: SkipReason) => report.skipped.push({ ...ref, reason })
  for (const ref of plan.devices) {
    const device = store.omemo.device(link.accountId, ref.jid, ref.deviceId)
    if (!device) continue
    const refused = plan.explicit ? null : skipReason(device, clock(), inactiveDeviceDays)
    if (refused) {
      skip(ref, refused)
      continue
    }
    const address = addressOf(ref)
    if (plan.fresh || !(await staged.loadSession(address))) {
      const bundle = plan.bundles.get(address) ?? { skip: 'bundle-unavailable' as const }
      const failed = 'skip' in bundle ? bundle.skip : await buildSessionFromBundle(context, staged, device, bundle)
      if (failed) {
        skip(ref, failed)
        continue
      }
    }
    try {
      const message = await new OmemoSessionCipher(staged, new SignalProtocolAddress(ref.jid, ref.deviceId)).encrypt(toArrayBuffer(keyAndTag))
      // libsignal hands back a binary string; type 3 is a PreKeySignalMessage (XEP-0384 §4.5 prekey="true").
      keys.push({ rid: ref.deviceId, preKey: message.type === 3, data: Buffer.from(message.body ?? '', 'binary') })
      report.encryptedFor.push(ref)
    } catch (error) {
      context.warn(`encrypting for ${ref.jid} device ${ref.deviceId} failed: ${(error as Error).message}`)
      skip(ref, error instanceof IdentityChangedError ? 'identity-changed' : 'bad-bundle')
    }
  }
  return {
    encrypted: { sid: own.device_id, keys, iv, payload: ciphertext },
    report,
    reachesContact: report.encryptedFor.some((ref) => ref.jid === plan.peer),
    commit: () => staged.commit(),
  }
}
