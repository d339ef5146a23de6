import { SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import type { EncryptionReportDto } from '../../../preload/api.ts'
import type { DeviceRow } from '../store/repos/omemo-repo.ts'
import { toArrayBuffer } from './buffers.ts'
import { buildSessionFromBundle } from './bundles.ts'
import type { DeviceLists } from './device-lists.ts'
import type { OmemoContext } from './omemo-context.ts'
import { trustForNewDevice } from './omemo-context.ts'
import { keyTransportMaterial, sealPayload } from './payload-crypto.ts'
import type { Encrypted, EncryptedKey } from './protocol/legacy.ts'
import { OmemoSessionCipher } from './ratchet/session-cipher.ts'
import { IdentityChangedError, StagedSignalStore } from './signal-store.ts'
import { skipReason } from './trust-policy.ts'

export interface EncryptionResult {
  encrypted: Encrypted
  report: EncryptionReportDto
  /** Encrypted for at least one of the contact's devices (own devices do not count). */
  reachesContact: boolean
  /** Store the ratchet steps; call in the transaction that records the message. */
  commit(): void
}

/**
 * Encrypts for all devices of the contact and all our own other devices (XEP-0384 §4.5), as the trust
 * rules allow; sessions are built from bundles on demand. Reports every device encrypted for or skipped.
 * `onlyDevices` restricts to given devices (a KeyTransportElement to one device).
 */
export async function encryptForDevices(
  context: OmemoContext,
  lists: DeviceLists,
  peer: string,
  plaintext: Buffer | null,
  onlyDevices?: ReadonlyArray<{ jid: string; deviceId: number }>,
): Promise<EncryptionResult> {
  const { store, link, clock } = context
  const own = store.omemo.ownDevice(link.accountId)
  if (!own) throw new Error('The OMEMO device is not initialised yet')
  const staged = new StagedSignalStore({ repo: store.omemo, own, initialTrust: (jid) => trustForNewDevice(context, jid), clock })

  const candidates: DeviceRow[] = []
  for (const jid of onlyDevices ? [...new Set(onlyDevices.map((d) => d.jid))] : [peer, link.ownBareJid]) {
    await lists.fetch(jid).catch((error: unknown) => context.warn(`device list of ${jid}: ${(error as Error).message}`))
    for (const device of store.omemo.devices(link.accountId, jid)) {
      if (jid === link.ownBareJid && device.device_id === own.device_id) continue
      if (onlyDevices && !onlyDevices.some((d) => d.jid === jid && d.deviceId === device.device_id)) continue
      if (!onlyDevices && device.active === 0) continue
      candidates.push(device)
    }
  }

  const { keyAndTag, iv, ciphertext } = plaintext ? sealPayload(plaintext) : { ...keyTransportMaterial(), ciphertext: null }
  const keys: EncryptedKey[] = []
  const report: EncryptionReportDto = { encryptedFor: [], skipped: [] }
  const settings = context.settings()
  for (const device of candidates) {
    const ref = { jid: device.jid, deviceId: device.device_id }
    const refused = onlyDevices ? null : skipReason(device, clock(), settings.inactiveDeviceDays)
    if (refused) {
      report.skipped.push({ ...ref, reason: refused })
      continue
    }
    const address = new SignalProtocolAddress(device.jid, device.device_id)
    if (!(await staged.loadSession(address.toString()))) {
      const failed = await buildSessionFromBundle(context, staged, device)
      if (failed) {
        report.skipped.push({ ...ref, reason: failed })
        continue
      }
    }
    try {
      const message = await new OmemoSessionCipher(staged, address).encrypt(toArrayBuffer(keyAndTag))
      // libsignal hands back a binary string; type 3 is a PreKeySignalMessage (XEP-0384 §4.5 prekey="true").
      keys.push({ rid: device.device_id, preKey: message.type === 3, data: Buffer.from(message.body ?? '', 'binary') })
      report.encryptedFor.push(ref)
    } catch (error) {
      context.warn(`encrypting for ${device.jid} device ${device.device_id} failed: ${(error as Error).message}`)
      report.skipped.push({ ...ref, reason: error instanceof IdentityChangedError ? 'identity-changed' : 'bad-bundle' })
    }
  }
  return {
    encrypted: { sid: own.device_id, keys, iv, payload: ciphertext },
    report,
    reachesContact: report.encryptedFor.some((ref) => ref.jid === peer),
    commit: () => staged.commit(),
  }
}
