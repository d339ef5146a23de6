import type { Direction, KeyPairType, SessionRecordType, StorageType } from '@privacyresearch/libsignal-protocol-typescript'

/**
 * A minimal in-memory libsignal StorageType for the primitive tests and the benchmark (the real store is the
 * SQLCipher-backed one in main/core/omemo). Trusts every identity: trust is not what these tests are about.
 */
export class MemorySignalStore implements StorageType {
  readonly identityKeyPair: KeyPairType
  readonly registrationId: number
  /** Benchmark option: keep one-time prekeys after use so the same bundle can start many sessions. */
  readonly keepUsedPreKeys: boolean
  readonly preKeys = new Map<string, KeyPairType>()
  readonly signedPreKeys = new Map<string, KeyPairType>()
  readonly sessions = new Map<string, SessionRecordType>()
  readonly identities = new Map<string, ArrayBuffer>()

  constructor(identityKeyPair: KeyPairType, registrationId: number, options: { keepUsedPreKeys?: boolean } = {}) {
    this.identityKeyPair = identityKeyPair
    this.registrationId = registrationId
    this.keepUsedPreKeys = options.keepUsedPreKeys ?? false
  }

  async getIdentityKeyPair() {
    return this.identityKeyPair
  }
  async getLocalRegistrationId() {
    return this.registrationId
  }
  async isTrustedIdentity(_identifier: string, _identityKey: ArrayBuffer, _direction: Direction) {
    return true
  }
  async saveIdentity(encodedAddress: string, publicKey: ArrayBuffer) {
    const name = encodedAddress.split('.')[0] ?? encodedAddress
    const previous = this.identities.get(name)
    this.identities.set(name, publicKey)
    return previous !== undefined && !Buffer.from(previous).equals(Buffer.from(publicKey))
  }
  async loadPreKey(keyId: string | number) {
    return this.preKeys.get(String(keyId))
  }
  async storePreKey(keyId: string | number, keyPair: KeyPairType) {
    this.preKeys.set(String(keyId), keyPair)
  }
  async removePreKey(keyId: string | number) {
    if (!this.keepUsedPreKeys) this.preKeys.delete(String(keyId))
  }
  async storeSession(encodedAddress: string, record: SessionRecordType) {
    this.sessions.set(encodedAddress, record)
  }
  async loadSession(encodedAddress: string) {
    return this.sessions.get(encodedAddress)
  }
  async loadSignedPreKey(keyId: string | number) {
    return this.signedPreKeys.get(String(keyId))
  }
  async storeSignedPreKey(keyId: string | number, keyPair: KeyPairType) {
    this.signedPreKeys.set(String(keyId), keyPair)
  }
  async removeSignedPreKey(keyId: string | number) {
    this.signedPreKeys.delete(String(keyId))
  }
}
