import {
  KeyHelper,
  SessionBuilder,
  SessionCipher,
  SignalProtocolAddress,
  type DeviceType,
  type MessageType,
} from '@privacyresearch/libsignal-protocol-typescript'
import { MemorySignalStore } from './memory-store.ts'

/** One OMEMO device as libsignal sees it: its store, its address and what its bundle would publish. */
export interface Party {
  readonly name: string
  readonly deviceId: number
  readonly address: SignalProtocolAddress
  readonly store: MemorySignalStore
  readonly signedPreKeySignature: ArrayBuffer
  /** The bundle a contact fetches (XEP-0384 §4.3), with one of the one-time prekeys. */
  bundle(preKeyId?: number): DeviceType
}

export const SIGNED_PRE_KEY_ID = 1

/** Generates identity, signed prekey and `preKeyCount` one-time prekeys with whatever primitives are installed. */
export async function createParty(
  name: string,
  deviceId: number,
  options: { preKeyCount?: number; keepUsedPreKeys?: boolean } = {},
): Promise<Party> {
  const identity = await KeyHelper.generateIdentityKeyPair()
  const registrationId = KeyHelper.generateRegistrationId()
  const store = new MemorySignalStore(identity, registrationId, { keepUsedPreKeys: options.keepUsedPreKeys ?? false })
  const signedPreKey = await KeyHelper.generateSignedPreKey(identity, SIGNED_PRE_KEY_ID)
  await store.storeSignedPreKey(SIGNED_PRE_KEY_ID, signedPreKey.keyPair)
  const preKeyIds: number[] = []
  for (let keyId = 1; keyId <= (options.preKeyCount ?? 1); keyId++) {
    const preKey = await KeyHelper.generatePreKey(keyId)
    await store.storePreKey(keyId, preKey.keyPair)
    preKeyIds.push(keyId)
  }
  return {
    name,
    deviceId,
    address: new SignalProtocolAddress(name, deviceId),
    store,
    signedPreKeySignature: signedPreKey.signature,
    bundle(preKeyId = preKeyIds[0]) {
      const preKey = preKeyId === undefined ? undefined : store.preKeys.get(String(preKeyId))
      return {
        identityKey: identity.pubKey,
        registrationId,
        signedPreKey: { keyId: SIGNED_PRE_KEY_ID, publicKey: signedPreKey.keyPair.pubKey, signature: signedPreKey.signature },
        preKey: preKey === undefined || preKeyId === undefined ? undefined : { keyId: preKeyId, publicKey: preKey.pubKey },
      }
    },
  }
}

/** XEP-0384 §4.4: the sender builds a session from the recipient's bundle. */
export async function startSession(from: Party, to: Party, preKeyId?: number): Promise<void> {
  await new SessionBuilder(from.store, to.address).processPreKey(to.bundle(preKeyId))
}

export function encryptFor(from: Party, to: Party, plaintext: Uint8Array): Promise<MessageType> {
  return new SessionCipher(from.store, to.address).encrypt(Uint8Array.from(plaintext).buffer)
}

/** Type 3 is a PreKeySignalMessage (`prekey="true"` on the wire), type 1 a SignalMessage. */
export async function decryptFrom(to: Party, from: Party, message: MessageType): Promise<Uint8Array> {
  const cipher = new SessionCipher(to.store, from.address)
  if (message.body === undefined) throw new Error('message without a body')
  const plaintext =
    message.type === 3
      ? await cipher.decryptPreKeyWhisperMessage(message.body, 'binary')
      : await cipher.decryptWhisperMessage(message.body, 'binary')
  return new Uint8Array(plaintext)
}
