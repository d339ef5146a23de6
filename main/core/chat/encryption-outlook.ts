import type { ConversationEncryptionDto, DeviceCountsDto, NextMessageMode } from '../../../preload/api.ts'
import { readOmemoSettings } from '../omemo/omemo-context.ts'
import { skipReason } from '../omemo/trust-policy.ts'
import type { DeviceRow } from '../store/repos/omemo-repo.ts'
import type { Store } from '../store/store.ts'

function countDevices(devices: readonly DeviceRow[], now: number, inactiveDeviceDays: number): DeviceCountsDto {
  const counts: DeviceCountsDto = { total: 0, usable: 0, undecided: 0, distrusted: 0, inactive: 0 }
  for (const device of devices) {
    if (device.active === 0) continue
    counts.total += 1
    const reason = skipReason(device, now, inactiveDeviceDays)
    if (reason === null) counts.usable += 1
    else if (reason === 'undecided') counts.undecided += 1
    else if (reason === 'untrusted') counts.distrusted += 1
    else counts.inactive += 1
  }
  return counts
}

/** What the next message does, from the user's choice and the devices: the header and composer show it, the outbox obeys it. */
export function nextMessageMode(choice: boolean | null, contact: DeviceCountsDto): NextMessageMode {
  if (choice === false) return 'plain'
  if (contact.total === 0) return choice === true ? 'blocked' : 'ask-plain'
  return contact.usable === 0 ? 'blocked' : 'omemo'
}

/**
 * The truth about a conversation's encryption, from what is stored (no network): the user's choice, and the
 * contact's and our other devices as the trust rules treat them (XEP-0384 §5 trust; BTBV or manual). Devices
 * whose bundle is not fetched yet count as usable until a send finds out otherwise (the report then says why).
 * A chat with our own address encrypts for our other devices only.
 */
export function encryptionOutlook(store: Store, accountId: number, peer: string, now: number): ConversationEncryptionDto {
  const { inactiveDeviceDays } = readOmemoSettings(store)
  const ownJid = store.accounts.get(accountId)?.jid
  const thisDevice = store.omemo.ownDevice(accountId)?.device_id
  const ownOtherDevices = ownJid ? store.omemo.devices(accountId, ownJid).filter((device) => device.device_id !== thisDevice) : []
  const ownOther = countDevices(ownOtherDevices, now, inactiveDeviceDays)
  const contact = peer === ownJid ? ownOther : countDevices(store.omemo.devices(accountId, peer), now, inactiveDeviceDays)
  const choice = store.settings.conversationOmemo(accountId, peer)
  return { choice, next: nextMessageMode(choice, contact), contact, ownOther }
}
