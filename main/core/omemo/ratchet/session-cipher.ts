import { Direction, SessionCipher, type MessageType, type SignalProtocolAddress, type StorageType } from '@privacyresearch/libsignal-protocol-typescript'
import { SessionLock } from '@privacyresearch/libsignal-protocol-typescript/lib/session-lock.js'
import { decryptOnReceivingChain, encryptOnSendingChain } from './symmetric-step.ts'

/**
 * libsignal's SessionCipher with the common case done directly (symmetric-step.ts): a message on an
 * established chain costs a few node:crypto calls instead of libsignal's conversion of the whole record to
 * ArrayBuffers and back, protobuf objects and a chain of promises per primitive. Everything else (building a
 * session from a PreKeySignalMessage, DH ratchet steps, old sessions, failures) is libsignal's own code, so
 * behaviour and errors are the library's. Both paths use libsignal's per-address job queue, so they never
 * interleave on one session, and the same storage calls (trust check, identity, session write). A fallback is
 * a job of its own that reloads the record, so it is correct even if another job on the address ran between.
 */
export type CipherPath = 'direct' | 'library'

export interface CipherOptions {
  /** Told which path each operation took (diagnostics and tests). */
  onPath?: (path: CipherPath) => void
}

export class OmemoSessionCipher {
  readonly #storage: StorageType
  readonly #address: SignalProtocolAddress
  readonly #library: SessionCipher
  readonly #onPath: (path: CipherPath) => void

  constructor(storage: StorageType, address: SignalProtocolAddress, options: CipherOptions = {}) {
    this.#storage = storage
    this.#address = address
    this.#library = new SessionCipher(storage, address)
    this.#onPath = options.onPath ?? (() => {})
  }

  /** Encrypts on the open session (same contract as SessionCipher.encrypt: body is a binary string). */
  encrypt(plaintext: ArrayBuffer): Promise<MessageType> {
    const address = this.#address.toString()
    return this.#queued(async () => {
      const [serialized, identity, registrationId] = await Promise.all([
        this.#storage.loadSession(address),
        this.#storage.getIdentityKeyPair(),
        this.#storage.getLocalRegistrationId(),
      ])
      const step =
        serialized && identity && registrationId !== undefined
          ? encryptOnSendingChain(serialized, { identityKey: new Uint8Array(identity.pubKey), registrationId }, new Uint8Array(plaintext))
          : undefined
      if (!step) return undefined
      this.#onPath('direct')
      await this.#acceptIdentity(step.remoteIdentityKey, Direction.SENDING)
      await this.#storage.storeSession(address, step.record)
      return { type: step.type, body: step.wire.toString('latin1'), registrationId: step.registrationId }
    }).then((result) => result ?? this.#viaLibrary(() => this.#library.encrypt(plaintext)))
  }

  /** A SignalMessage (XEP-0384 §4.6 `<key/>` without prekey="true"). */
  decryptWhisperMessage(message: ArrayBuffer | string, encoding: 'binary' = 'binary'): Promise<ArrayBuffer> {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'latin1') : new Uint8Array(message)
    const address = this.#address.toString()
    return this.#queued(async () => {
      const [serialized, identity] = await Promise.all([this.#storage.loadSession(address), this.#storage.getIdentityKeyPair()])
      const step = serialized && identity ? decryptOnReceivingChain(serialized, new Uint8Array(identity.pubKey), bytes) : undefined
      if (!step) return undefined
      this.#onPath('direct')
      await this.#acceptIdentity(step.remoteIdentityKey, Direction.RECEIVING)
      await this.#storage.storeSession(address, step.record)
      return Uint8Array.from(step.plaintext).buffer
    }).then((result) => result ?? this.#viaLibrary(() => this.#library.decryptWhisperMessage(message, encoding)))
  }

  /** A PreKeySignalMessage always goes to libsignal: it may build a session and consume a prekey. */
  decryptPreKeyWhisperMessage(message: ArrayBuffer | string, encoding: 'binary' = 'binary'): Promise<ArrayBuffer> {
    return this.#viaLibrary(() => this.#library.decryptPreKeyWhisperMessage(message, encoding))
  }

  #viaLibrary<T>(operation: () => Promise<T>): Promise<T> {
    this.#onPath('library')
    return operation()
  }

  /** As libsignal: the identity must be trusted, then it is saved (where our store refuses a changed key). */
  async #acceptIdentity(remoteIdentityKey: Buffer, direction: Direction): Promise<void> {
    const key = Uint8Array.from(remoteIdentityKey).buffer
    if (!(await this.#storage.isTrustedIdentity(this.#address.getName(), key, direction))) throw new Error('Identity key changed')
    await this.#storage.saveIdentity(this.#address.toString(), key)
  }

  #queued<T>(job: () => Promise<T>): Promise<T> {
    return SessionLock.queueJobForNumber(this.#address.toString(), job) as Promise<T>
  }
}
