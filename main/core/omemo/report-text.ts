import type { EncryptionReportDto, SkipReason } from '../../../preload/api.ts'

const REASONS: Record<SkipReason, string> = {
  'no-bundle': 'it has no published keys',
  'bad-bundle': 'its published keys are invalid',
  untrusted: 'you distrusted it',
  undecided: 'it waits for your trust decision',
  inactive: 'it is inactive',
  'identity-changed': 'its identity key changed',
}

/** Why a message could not be encrypted for any of the contact's devices, in words. */
export function explainNoRecipients(peer: string, report: EncryptionReportDto): string {
  const skipped = report.skipped.filter((device) => device.jid === peer)
  if (skipped.length === 0) return `${peer} has no OMEMO devices. Turn encryption off for this chat to send unencrypted.`
  const details = skipped.map((device) => `device ${device.deviceId}: ${REASONS[device.reason]}`).join('; ')
  return `Not sent: no device of ${peer} can be encrypted for (${details}).`
}
