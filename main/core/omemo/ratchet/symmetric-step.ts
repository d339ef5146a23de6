import { decryptBody, deriveMessageKeys, encryptBody, macMatches, messageMac, stepChain } from './message-keys.ts'
import { fromBase64, MAX_CHAIN_STEPS, openSessionOf, RECEIVING_CHAIN, SENDING_CHAIN, usableChain } from './serialized-record.ts'
import { encodePreKeyWhisperMessage, encodeWhisperMessage, MESSAGE_VERSION, splitSignalMessage } from './whisper-wire.ts'

/**
 * The common case of the double ratchet done directly on libsignal's stored record: a message on the open
 * session's current sending chain, or one on a receiving chain the open session already has (no DH ratchet
 * step, no new session, no randomness). Outputs (wire bytes, plaintext, the updated record string) are
 * byte-identical to libsignal-protocol-typescript's SessionCipher; the tests beside this file check that
 * against the library on random conversations. Every other case (a new ratchet key, a prekey message to
 * process, an unusual record, a message that does not authenticate) returns undefined and is left to libsignal,
 * with nothing changed.
 */

export interface OurDevice {
  /** 33-byte identity public key (0x05 prefix). */
  identityKey: Uint8Array
  registrationId: number
}

export interface SymmetricEncryption {
  /** 1: SignalMessage; 3: PreKeySignalMessage (the session is not yet confirmed by the other side). */
  type: 1 | 3
  /** The <key/> content: version byte first. */
  wire: Buffer
  /** The remote device's registration id as the session knows it (libsignal's MessageType.registrationId). */
  registrationId: number | undefined
  remoteIdentityKey: Buffer
  record: string
}

export interface SymmetricDecryption {
  plaintext: Buffer
  remoteIdentityKey: Buffer
  record: string
}

const isUint32 = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff

/** XEP-0384 §4.5 (libsignal SessionCipher.encrypt) on the open session's sending chain. */
export function encryptOnSendingChain(serialized: string, ours: OurDevice, plaintext: Uint8Array): SymmetricEncryption | undefined {
  if (ours.identityKey.byteLength !== 33) return undefined
  const open = openSessionOf(serialized)
  if (!open) return undefined
  const { session, remoteIdentityKey } = open
  const ratchet = session.currentRatchet
  const ephemeralPublic = ratchet.ephemeralKeyPair?.pubKey
  if (typeof ephemeralPublic !== 'string' || !isUint32(ratchet.previousCounter)) return undefined
  const chain = usableChain(session, ephemeralPublic, SENDING_CHAIN)
  if (!chain || typeof chain.chainKey.key !== 'string') return undefined
  const counter = chain.chainKey.counter + 1
  if (!isUint32(counter)) return undefined
  const pending = session.pendingPreKey
  if (pending && !(isUint32(ours.registrationId) && isUint32(pending.signedKeyId) && typeof pending.baseKey === 'string')) return undefined
  if (pending && pending.preKeyId !== undefined && !isUint32(pending.preKeyId)) return undefined

  const { messageKeySeed, nextChainKey } = stepChain(fromBase64(chain.chainKey.key))
  const keys = deriveMessageKeys(messageKeySeed)
  const proto = encodeWhisperMessage({
    ephemeralKey: fromBase64(ephemeralPublic),
    counter,
    previousCounter: ratchet.previousCounter,
    ciphertext: encryptBody(keys, plaintext),
  })
  const mac = messageMac(keys, ours.identityKey, remoteIdentityKey, proto)
  const signalMessage = Buffer.concat([Buffer.from([MESSAGE_VERSION]), proto, mac])

  // The step consumed this message key; nothing else of the record changes.
  chain.chainKey.key = nextChainKey.toString('base64')
  chain.chainKey.counter = counter
  delete chain.messageKeys[counter]
  const record = JSON.stringify(open.record)

  const result = { registrationId: session.registrationId, remoteIdentityKey, record }
  if (!pending) return { ...result, type: 1, wire: signalMessage }
  const preKeyMessage = encodePreKeyWhisperMessage({
    registrationId: ours.registrationId,
    preKeyId: pending.preKeyId ?? 0,
    signedPreKeyId: pending.signedKeyId,
    baseKey: fromBase64(pending.baseKey),
    identityKey: ours.identityKey,
    message: signalMessage,
  })
  return { ...result, type: 3, wire: Buffer.concat([Buffer.from([MESSAGE_VERSION]), preKeyMessage]) }
}

/** XEP-0384 §4.6 (libsignal SessionCipher.decryptWhisperMessage) on a receiving chain the open session has. */
export function decryptOnReceivingChain(serialized: string, ourIdentityKey: Uint8Array, message: Uint8Array): SymmetricDecryption | undefined {
  if (ourIdentityKey.byteLength !== 33) return undefined
  const parts = splitSignalMessage(message)
  if (!parts) return undefined
  const open = openSessionOf(serialized)
  if (!open) return undefined
  const { session, remoteIdentityKey } = open
  const chain = usableChain(session, Buffer.from(parts.fields.ephemeralKey).toString('base64'), RECEIVING_CHAIN)
  if (!chain) return undefined
  const { counter } = parts.fields

  // Catch the chain up to the message's counter, keeping the keys of skipped messages (they may arrive late).
  const steps = counter - chain.chainKey.counter
  if (steps > MAX_CHAIN_STEPS) return undefined
  if (steps > 0) {
    if (typeof chain.chainKey.key !== 'string') return undefined
    let chainKey = fromBase64(chain.chainKey.key)
    for (let index = chain.chainKey.counter + 1; index <= counter; index++) {
      const { messageKeySeed, nextChainKey } = stepChain(chainKey)
      chain.messageKeys[index] = messageKeySeed.toString('base64')
      chainKey = nextChainKey
    }
    chain.chainKey.key = chainKey.toString('base64')
    chain.chainKey.counter = counter
  }
  if (!Object.hasOwn(chain.messageKeys, counter)) return undefined // a repeated counter
  const seed = chain.messageKeys[counter]
  if (typeof seed !== 'string') return undefined
  delete chain.messageKeys[counter]

  const keys = deriveMessageKeys(fromBase64(seed))
  if (!macMatches(messageMac(keys, remoteIdentityKey, ourIdentityKey, parts.proto), parts.mac)) return undefined
  let plaintext: Buffer
  try {
    plaintext = decryptBody(keys, parts.fields.ciphertext)
  } catch {
    return undefined
  }
  // The other side has answered on this session: no more PreKeySignalMessages to it.
  delete session.pendingPreKey
  return { plaintext, remoteIdentityKey, record: JSON.stringify(open.record) }
}
