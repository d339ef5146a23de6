import { SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import type { TrustState } from '../../../preload/api.ts'
import { toArrayBuffer, toBuffer } from './buffers.ts'
import type { OmemoContext } from './omemo-context.ts'
import { trustForNewDevice } from './omemo-context.ts'
import { openPayload } from './payload-crypto.ts'
import type { Encrypted } from './protocol/legacy.ts'
import { OmemoSessionCipher } from './ratchet/session-cipher.ts'
import { IdentityChangedError, StagedSignalStore } from './signal-store.ts'

export type DecryptOutcome =
  | {
      kind: 'message' | 'key-transport'
      /** The text, for kind 'message'. */
      text: string | null
      senderDevice: number
      /** The sender device's trust, as it will be once `commit` ran. */
      trust: () => TrustState
      /** The message was a PreKeySignalMessage: a prekey was used (republish, rekey). */
      usedPreKey: boolean
      commit(): void
    }
  | { kind: 'not-for-us'; senderDevice: number }
  /** Nothing to store: a KeyTransportElement for other devices, or our own device's message. */
  | { kind: 'ignored'; senderDevice: number }
  /** §4.7: the message key was used already (a repeated counter): a copy of a message handled before, or a replay. */
  | { kind: 'duplicate'; senderDevice: number }
  | { kind: 'identity-changed'; senderDevice: number }
  /** no-session: no session (or no signed prekey) to decrypt it with; bad-message: it does not decrypt or authenticate. */
  | { kind: 'failed'; senderDevice: number; code: 'no-session' | 'bad-message'; reason: string }

const MAX_KEYS_FOR_OUR_DEVICE = 2

/** libsignal's words when there is no session state for a message (SessionCipher, SessionBuilder.processV3). */
const NO_SESSION = /No record for device|No session found|No session to|Missing Signed PreKey|unable to find session for base key/u

/** libsignal names the error of a message key that was used already (SessionCipher.doDecryptWhisperMessage). */
const isRepeatedCounter = (error: unknown) => (error as Error | null)?.name === 'MessageCounterError'

/**
 * XEP-0384 §4.6–4.7: find the key for our device, decrypt it with the sender device's session (a
 * PreKeySignalMessage builds a new one), then the payload. Several keys for our device (seen in MUCs)
 * are tried in turn. Nothing is written until the caller commits.
 */
export async function decryptFromDevice(context: OmemoContext, senderJid: string, encrypted: Encrypted): Promise<DecryptOutcome> {
  const { store, link, clock } = context
  const own = store.omemo.ownDevice(link.accountId)
  const senderDevice = encrypted.sid
  if (!own) return { kind: 'failed', senderDevice, code: 'no-session', reason: 'this device has no OMEMO keys yet' }
  // §4.5: a device never encrypts for itself, so what this device sent cannot be read back.
  if (senderJid === link.ownBareJid && senderDevice === own.device_id) return { kind: 'ignored', senderDevice }
  // §4.5 needs one key per device; in rooms some clients send two ratchet steps (PROTOCOL-NOTES.md). More is abuse.
  const ours = encrypted.keys.filter((key) => key.rid === own.device_id).slice(0, MAX_KEYS_FOR_OUR_DEVICE)
  // §4.7: no key for us. A message becomes a visible "not encrypted for this device" entry; a key
  // transport meant for other devices is nothing to show.
  if (ours.length === 0) return encrypted.payload ? { kind: 'not-for-us', senderDevice } : { kind: 'ignored', senderDevice }

  const address = new SignalProtocolAddress(senderJid, senderDevice)
  let lastError = 'no key could be decrypted'
  let repeated = false
  for (const key of ours) {
    const staged = new StagedSignalStore({ repo: store.omemo, own, initialTrust: (jid) => trustForNewDevice(context, jid), clock })
    const cipher = new OmemoSessionCipher(staged, address)
    let keyMaterial: Buffer
    try {
      const decrypted = key.preKey
        ? await cipher.decryptPreKeyWhisperMessage(toArrayBuffer(key.data), 'binary')
        : await cipher.decryptWhisperMessage(toArrayBuffer(key.data), 'binary')
      keyMaterial = toBuffer(decrypted)
    } catch (error) {
      if (error instanceof IdentityChangedError) return { kind: 'identity-changed', senderDevice }
      repeated ||= isRepeatedCounter(error)
      lastError = (error as Error).message
      continue
    }
    let text: string | null = null
    if (encrypted.payload) {
      try {
        text = openPayload(keyMaterial, encrypted.iv, encrypted.payload).toString('utf8')
      } catch (error) {
        lastError = `the payload does not authenticate (${(error as Error).message})`
        continue
      }
    }
    const usedPreKey = staged.usedPreKeys.length > 0
    return {
      kind: encrypted.payload ? 'message' : 'key-transport',
      text,
      senderDevice,
      usedPreKey,
      trust: () => store.omemo.device(link.accountId, senderJid, senderDevice)?.trust ?? trustForNewDevice(context, senderJid),
      commit: () => {
        staged.commit()
        const device = store.omemo.device(link.accountId, senderJid, senderDevice)
        if (device) store.omemo.saveDevice({ ...device, last_message_at: clock() })
      },
    }
  }
  // A key for us that was used already means this message was read before (several keys: Profanity's two steps).
  if (repeated) return { kind: 'duplicate', senderDevice }
  return { kind: 'failed', senderDevice, code: NO_SESSION.test(lastError) ? 'no-session' : 'bad-message', reason: lastError }
}
