import type { SkipReason, TrustModel, TrustState } from '../../../preload/api.ts'
import type { DeviceRow } from '../store/repos/omemo-repo.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Blind Trust Before Verification: a contact's new devices are trusted blindly until one of that
 * contact's devices has been verified; from then on new devices stay undecided until the user decides.
 * In manual mode every new device is undecided.
 */
export function initialTrust(model: TrustModel, contactHasVerifiedDevice: boolean): TrustState {
  return model === 'btbv' && !contactHasVerifiedDevice ? 'blind' : 'undecided'
}

/** Why a device must not be encrypted for right now, or null if it may be (smack: undecided fails). */
export function skipReason(device: DeviceRow, now: number, inactiveDeviceDays: number): SkipReason | null {
  if (device.trust === 'distrusted') return 'untrusted'
  if (device.trust === 'undecided') return 'undecided'
  if (device.active === 0) return 'inactive'
  if (inactiveDeviceDays > 0) {
    const lastHeard = device.last_message_at ?? device.first_seen_at
    if (now - lastHeard > inactiveDeviceDays * DAY_MS) return 'inactive'
  }
  return null
}
