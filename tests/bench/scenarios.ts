import { SessionBuilder, SessionCipher, type MessageType, type SignalProtocolAddress, type StorageType } from '@privacyresearch/libsignal-protocol-typescript'
import { randomBytes } from 'node:crypto'
import { MemorySignalStore } from '../../main/core/omemo/crypto/test-support/memory-store.ts'
import { OmemoSessionCipher } from '../../main/core/omemo/ratchet/session-cipher.ts'
import { createParty, decryptFrom, encryptFor, startSession, type Party } from '../../main/core/omemo/crypto/test-support/parties.ts'
import { FloorChain } from './floor.ts'
import { BODY, open, seal } from './payload.ts'
import { buildEncryptedElement, type KeyElement } from './stanza.ts'

/**
 * The benchmark's workloads. Sessions are set up once (with whatever primitives are installed at setup; the
 * records are the same bytes either way) and each step below is what one measured iteration does.
 */
export const MAX_DEVICES = 100
const DECRYPT_BATCH = 1000
const OUR_DEVICE_ID = 1

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.from(bytes).buffer
}
function wireBytes(message: MessageType): Buffer {
  return Buffer.from(message.body ?? '', 'latin1')
}

/**
 * Which session cipher a workload runs: libsignal's own SessionCipher, or the core's OmemoSessionCipher (the same
 * library with the symmetric step on an established chain done directly; main/core/omemo/ratchet).
 */
export type CipherKind = 'libsignal' | 'core'
type Cipher = Pick<OmemoSessionCipher, 'encrypt' | 'decryptWhisperMessage'>
function cipherOf(kind: CipherKind, store: StorageType, address: SignalProtocolAddress): Cipher {
  return kind === 'core' ? new OmemoSessionCipher(store, address) : new SessionCipher(store, address)
}

export interface Workloads {
  /** `isolated`: on a private copy of our sessions (for the stubbed-crypto ceiling, which would corrupt them). */
  encrypt(devices: number, options?: { isolated?: boolean; cipher?: CipherKind }): () => Promise<string>
  encryptFloor(devices: number): () => string
  decrypt(cipher?: CipherKind): () => Promise<Buffer>
  decryptFloor(): () => Buffer
  buildSession(): () => Promise<void>
  ratchetRoundTrip(): () => Promise<void>
}

/** Our device, MAX_DEVICES recipient devices with established sessions (each has answered once), and inputs. */
export async function prepareWorkloads(): Promise<Workloads> {
  const us = await createParty('me@example.org', OUR_DEVICE_ID)
  const recipients: Party[] = []
  for (let index = 0; index < MAX_DEVICES; index++) {
    const recipient = await createParty(`contact${index}@example.org`, 1000 + index)
    await startSession(us, recipient)
    await decryptFrom(recipient, us, await encryptFor(us, recipient, randomBytes(32)))
    await decryptFrom(us, recipient, await encryptFor(recipient, us, randomBytes(32))) // answered: no more prekey messages
    recipients.push(recipient)
  }

  // Decrypt input: one contact's device sends a batch on its (established) sending chain; we replay it from a
  // snapshot of our session record, so every pass decrypts the same messages in order.
  const sender = recipients[0]!
  const senderAddress = sender.address.toString()
  const incoming: { key: string; iv: string; payload: string }[] = []
  for (let index = 0; index < DECRYPT_BATCH; index++) {
    const sealed = seal(BODY)
    const message = await encryptFor(sender, us, sealed.keyAndTag)
    incoming.push({ key: wireBytes(message).toString('base64'), iv: sealed.iv.toString('base64'), payload: sealed.payload.toString('base64') })
  }
  const receiveSnapshot = us.store.sessions.get(senderAddress)!

  // The floor's own chains: one per device for sending, one replayed batch for receiving.
  const identityKeys = randomBytes(66)
  const floorChains = Array.from({ length: MAX_DEVICES }, () => new FloorChain(randomBytes(32)))
  const floorReceiveStart = randomBytes(32)
  const floorSender = new FloorChain(floorReceiveStart)
  const floorIncoming = incoming.map(() => {
    const sealed = seal(BODY)
    return {
      key: floorSender.encrypt(sealed.keyAndTag, identityKeys).toString('base64'),
      iv: sealed.iv.toString('base64'),
      payload: sealed.payload.toString('base64'),
    }
  })

  // Session build: a bundle whose one-time prekey stays available (MemorySignalStore option), fresh initiator
  // stores with a pre-generated identity, so each iteration is exactly X3DH + first message + its receipt.
  const responder = await createParty('new-contact@example.org', 77, { keepUsedPreKeys: true })
  const initiator = await createParty('me-too@example.org', 2)
  const initiatorIdentity = await initiator.store.getIdentityKeyPair()

  // Ratchet round trip: two established devices taking turns, so every message carries a new ratchet key.
  // Both records are restored before each round trip: libsignal-protocol-typescript 0.0.16 never deletes old
  // receiving chains (removeOldChains deletes session[key] instead of session.chains[key]), so without the
  // reset each turn would grow the records and the figure would depend on how long the benchmark ran.
  const [ping, pong] = [recipients[1]!, recipients[2]!]
  await startSession(ping, pong)
  await decryptFrom(pong, ping, await encryptFor(ping, pong, randomBytes(32)))
  const pingRecord = ping.store.sessions.get(pong.address.toString())!
  const pongRecord = pong.store.sessions.get(ping.address.toString())!

  return {
    encrypt(devices, options = {}) {
      const targets = recipients.slice(0, devices)
      let store = us.store
      if (options.isolated) {
        store = new MemorySignalStore(us.store.identityKeyPair, us.store.registrationId)
        for (const [address, record] of us.store.sessions) store.sessions.set(address, record)
      }
      const ciphers = targets.map((recipient) => cipherOf(options.cipher ?? 'libsignal', store, recipient.address))
      return async () => {
        const sealed = seal(BODY)
        const keyMaterial = arrayBufferOf(sealed.keyAndTag)
        const keys: KeyElement[] = []
        for (let index = 0; index < targets.length; index++) {
          const message = await ciphers[index]!.encrypt(keyMaterial)
          keys.push({ rid: targets[index]!.deviceId, prekey: message.type === 3, base64: wireBytes(message).toString('base64') })
        }
        return buildEncryptedElement(OUR_DEVICE_ID, keys, sealed.iv, sealed.payload).toString()
      }
    },
    encryptFloor(devices) {
      const targets = recipients.slice(0, devices)
      return () => {
        const sealed = seal(BODY)
        const keys = targets.map((target, index) => ({
          rid: target.deviceId,
          prekey: false,
          base64: floorChains[index]!.encrypt(sealed.keyAndTag, identityKeys).toString('base64'),
        }))
        return buildEncryptedElement(OUR_DEVICE_ID, keys, sealed.iv, sealed.payload).toString()
      }
    },
    decrypt(cipher = 'libsignal') {
      // Each closure gets its own copy of our store, so measurements of different primitive sets can interleave.
      const store = new MemorySignalStore(us.store.identityKeyPair, us.store.registrationId)
      const receivingCipher = cipherOf(cipher, store, sender.address)
      let next = incoming.length
      return async () => {
        if (next === incoming.length) {
          await store.storeSession(senderAddress, receiveSnapshot)
          next = 0
        }
        const message = incoming[next++]!
        const keyMaterial = await receivingCipher.decryptWhisperMessage(arrayBufferOf(Buffer.from(message.key, 'base64')))
        return open(Buffer.from(keyMaterial), Buffer.from(message.iv, 'base64'), Buffer.from(message.payload, 'base64'))
      }
    },
    decryptFloor() {
      let next = 0
      let chain = new FloorChain(floorReceiveStart)
      return () => {
        if (next === floorIncoming.length) {
          chain = new FloorChain(floorReceiveStart)
          next = 0
        }
        const message = floorIncoming[next++]!
        const keyAndTag = chain.decrypt(Buffer.from(message.key, 'base64'), identityKeys)
        return open(keyAndTag, Buffer.from(message.iv, 'base64'), Buffer.from(message.payload, 'base64'))
      }
    },
    buildSession() {
      return async () => {
        const store = new MemorySignalStore(initiatorIdentity!, 4242)
        const address = initiator.address
        await new SessionBuilder(store, responder.address).processPreKey(responder.bundle(1))
        const first = await new SessionCipher(store, responder.address).encrypt(arrayBufferOf(randomBytes(32)))
        if (first.type !== 3) throw new Error('expected a PreKeySignalMessage')
        await new SessionCipher(responder.store, address).decryptPreKeyWhisperMessage(first.body!, 'binary')
        responder.store.sessions.delete(address.toString()) // keep the responder's store from growing
      }
    },
    ratchetRoundTrip() {
      return async () => {
        ping.store.sessions.set(pong.address.toString(), pingRecord)
        pong.store.sessions.set(ping.address.toString(), pongRecord)
        await decryptFrom(ping, pong, await encryptFor(pong, ping, randomBytes(32)))
        await decryptFrom(pong, ping, await encryptFor(ping, pong, randomBytes(32)))
      }
    },
  }
}
