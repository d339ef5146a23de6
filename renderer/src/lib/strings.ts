/**
 * Words for what the core reports as codes (messages, encryption state). The core never sends sentences for
 * these; this is the one place they are worded.
 */
import type { ConversationEncryptionDto, DeviceCountsDto, FailureCode, MessageDto, UndecryptableCode } from '../../../preload/api.ts'

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/** Why an incoming OMEMO message cannot be shown. */
export const UNDECRYPTABLE_TEXT: Record<UndecryptableCode, string> = {
  'not-for-this-device': 'This message was not encrypted for this device.',
  'before-this-device': 'This message was sent before this device existed.',
  'identity-changed': "Refused: the sender's device presented a different identity key.",
  'no-session': 'This message could not be decrypted: there is no session with the sending device yet. The session is being repaired; later messages will be readable.',
  'bad-message': 'This message could not be decrypted: it is damaged or was not meant for this session.',
  malformed: 'This message could not be read: its encrypted part is malformed.',
}

/** History of a new device: one notice for a run of messages from before it existed. */
export function beforeThisDeviceText(count: number): string {
  return count === 1 ? '1 earlier message was sent before this device existed.' : `${count} earlier messages were sent before this device existed.`
}

/** XMPP error conditions a bounced message can carry (RFC 6120 §8.3.3), in words. */
const BOUNCE_TEXT: Record<string, string> = {
  'service-unavailable': 'the address does not exist or does not accept messages',
  'item-not-found': 'the address does not exist',
  'recipient-unavailable': 'the recipient is not available',
  'remote-server-not-found': 'their server could not be found',
  'remote-server-timeout': 'their server could not be reached',
  forbidden: 'the server refused it',
  'not-allowed': 'the server refused it',
  'not-authorized': 'the server refused it',
  'policy-violation': "it violates the server's policy",
  'not-acceptable': 'the server did not accept it',
  'resource-constraint': 'the server is overloaded',
  'jid-malformed': 'the address is not valid',
  gone: 'the address is gone',
}

/** Why an outgoing message was not sent (after "Not sent:"). */
export function failureText(message: Pick<MessageDto, 'failure' | 'peer'>): string {
  const failure = message.failure
  if (!failure) return 'it could not be sent'
  switch (failure.code as FailureCode) {
    case 'no-devices':
      return `${message.peer} has no OMEMO devices to encrypt for`
    case 'no-usable-devices':
      return `none of ${message.peer}'s devices can be encrypted for`
    case 'encryption-failed':
      return failure.detail ? `encrypting failed (${failure.detail})` : 'encrypting failed'
    case 'plaintext-not-chosen':
      return 'it would have been sent unencrypted, which you have not chosen for this chat'
    case 'bounced':
      return BOUNCE_TEXT[failure.detail ?? ''] ?? `the server returned it (${failure.detail ?? 'unknown error'})`
  }
}

function skippedParts(counts: DeviceCountsDto): string[] {
  const parts: string[] = []
  if (counts.undecided > 0) parts.push(`${plural(counts.undecided, 'waits', 'wait')} for your decision`)
  if (counts.distrusted > 0) parts.push(`${plural(counts.distrusted, 'is', 'are')} distrusted`)
  if (counts.inactive > 0) parts.push(`${plural(counts.inactive, 'is', 'are')} inactive`)
  return parts
}

/** What the next message will do, for the header and the composer. */
export function nextMessageText(peer: string, encryption: ConversationEncryptionDto): { short: string; long: string } {
  const { contact } = encryption
  switch (encryption.next) {
    case 'omemo': {
      const skipped = contact.total - contact.usable
      if (skipped === 0) return { short: 'Encrypted', long: `Messages to ${peer} are end-to-end encrypted for ${plural(contact.usable, 'device', 'devices')}.` }
      return {
        short: `Encrypted, ${skipped} skipped`,
        long: `Encrypted for ${plural(contact.usable, 'device', 'devices')} of ${peer}; ${plural(skipped, 'device', 'devices')} will not get it: ${skippedParts(contact).join(', ')}.`,
      }
    }
    case 'plain':
      return { short: 'Not encrypted', long: `You turned encryption off: messages to ${peer} are sent as plain text that servers can read.` }
    case 'ask-plain':
      return {
        short: 'Not encrypted',
        long: `${peer} has no OMEMO devices, so messages cannot be encrypted. You will be asked before anything is sent unencrypted.`,
      }
    case 'blocked':
      return contact.total === 0
        ? { short: 'Cannot encrypt', long: `Encryption is on, but ${peer} has no OMEMO devices: nothing can be sent until they have one, or you turn encryption off.` }
        : {
            short: 'Cannot encrypt',
            long: `Encryption is on, but none of ${peer}'s ${plural(contact.total, 'device', 'devices')} can be encrypted for (${skippedParts(contact).join(', ')}). Review the devices, or turn encryption off.`,
          }
  }
}
