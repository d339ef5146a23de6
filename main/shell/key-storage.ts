import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SafeStorage } from 'electron'
import { CoreError } from '../core/errors.ts'
import { DATABASE_KEY_BYTES, type KeyProvider } from '../core/keys/key-provider.ts'
import { createPassphraseKeyProvider, KDF_FILE } from '../core/keys/passphrase-key-provider.ts'

/** The random database key, encrypted by the OS keychain (safeStorage); never stored in plaintext. */
export const KEYCHAIN_KEY_FILE = 'database-key.bin'
/** Written by the passphrase provider: its presence means the database was made from a passphrase. */
export const PASSPHRASE_SETTINGS_FILE = KDF_FILE

export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>

export interface KeyStorageFacts {
  platform: NodeJS.Platform
  /** safeStorage can encrypt at all. */
  encryptionAvailable: boolean
  /** Linux only: the secret store behind safeStorage. */
  linuxBackend: ReturnType<SafeStorage['getSelectedStorageBackend']> | null
  /** database-key.bin exists: the database was made with a keychain key. */
  hasKeychainKey: boolean
  /** database-kdf.json exists: the database was made from a passphrase. */
  hasPassphraseSettings: boolean
}

export type KeyStorageDecision =
  | { use: 'keychain' }
  | { use: 'passphrase'; reason: string }
  /** The key is kept by a keychain that is not available now: say so, never fall back silently. */
  | { use: 'keychain-unavailable'; reason: string }

/**
 * Keychain or passphrase (ARCHITECTURE.md "Security posture"). An existing database keeps the kind of
 * key it was made with. A new one gets a keychain key only when the OS really protects it: on Linux,
 * safeStorage's `basic_text` backend encrypts with a hard-coded password, which is plaintext in all
 * but name, and `unknown` means it is not initialised; then the user chooses a passphrase.
 */
export function decideKeyStorage(facts: KeyStorageFacts): KeyStorageDecision {
  const keychainUsable =
    facts.encryptionAvailable &&
    (facts.platform !== 'linux' || (facts.linuxBackend !== null && facts.linuxBackend !== 'basic_text' && facts.linuxBackend !== 'unknown'))
  if (facts.hasKeychainKey) {
    if (keychainUsable) return { use: 'keychain' }
    return {
      use: 'keychain-unavailable',
      reason:
        facts.platform === 'linux'
          ? `The database key is kept in the system keyring, which is not available now (backend: ${facts.linuxBackend ?? 'none'}). Log in to a desktop session with a keyring (GNOME Keyring, KWallet) and start the app again.`
          : 'The database key is kept in the system keychain, which is not available now.',
    }
  }
  if (facts.hasPassphraseSettings) return { use: 'passphrase', reason: 'The database was created with a passphrase' }
  if (!facts.encryptionAvailable) return { use: 'passphrase', reason: 'No system keychain is available' }
  if (!keychainUsable) return { use: 'passphrase', reason: `No system keyring (safeStorage backend: ${facts.linuxBackend ?? 'none'})` }
  return { use: 'keychain' }
}

const KEY_HEX = /^[0-9a-f]{64}$/u

/** Writes via a temporary file and a rename, so a crash never leaves half a key file. */
function writeAtomically(path: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, data, { mode: 0o600 })
  renameSync(temporary, path)
}

/** A random 256-bit key kept in dataDir/database-key.bin, encrypted by safeStorage. */
export function createSafeStorageKeyProvider(safeStorage: SafeStorageLike, dataDir: string): KeyProvider {
  const keyPath = join(dataDir, KEYCHAIN_KEY_FILE)

  async function readKey(): Promise<Buffer> {
    let decrypted: { result: string; shouldReEncrypt: boolean }
    try {
      decrypted = await safeStorage.decryptStringAsync(readFileSync(keyPath))
    } catch (error) {
      throw new CoreError('internal', `The system keychain could not decrypt the database key (${(error as Error).message})`)
    }
    if (!KEY_HEX.test(decrypted.result)) throw new CoreError('internal', `${keyPath} does not hold a database key`)
    // The keychain rotated its own key: store ours again under the new one.
    if (decrypted.shouldReEncrypt) writeAtomically(keyPath, await safeStorage.encryptStringAsync(decrypted.result))
    return Buffer.from(decrypted.result, 'hex')
  }

  return {
    protection: 'keychain',
    async obtainKey({ creating }) {
      if (existsSync(keyPath)) return readKey()
      if (!creating) {
        throw new CoreError('internal', `The database exists but its key file ${keyPath} is missing; the database cannot be opened`)
      }
      const hex = randomBytes(DATABASE_KEY_BYTES).toString('hex')
      writeAtomically(keyPath, await safeStorage.encryptStringAsync(hex))
      // Read it back before the database is made with it: a key we cannot recover must never be used.
      const key = await readKey()
      if (key.toString('hex') !== hex) throw new CoreError('internal', 'The system keychain did not return the stored database key')
      return key
    },
  }
}

/** A provider that always fails with the decision's reason (the database stays closed and untouched). */
function unavailableKeyProvider(reason: string): KeyProvider {
  return {
    protection: 'keychain',
    obtainKey: async () => {
      throw new CoreError('locked', reason)
    },
  }
}

/** The Electron app's key provider: keychain when the OS protects it, else a passphrase. Never plaintext. */
export async function createKeychainKeyProvider(
  safeStorage: SafeStorageLike,
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): Promise<{ provider: KeyProvider; decision: KeyStorageDecision }> {
  const decision = decideKeyStorage({
    platform,
    encryptionAvailable: await safeStorage.isAsyncEncryptionAvailable().catch(() => false),
    linuxBackend: platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
    hasKeychainKey: existsSync(join(dataDir, KEYCHAIN_KEY_FILE)),
    hasPassphraseSettings: existsSync(join(dataDir, PASSPHRASE_SETTINGS_FILE)),
  })
  switch (decision.use) {
    case 'keychain':
      return { provider: createSafeStorageKeyProvider(safeStorage, dataDir), decision }
    case 'passphrase':
      return { provider: createPassphraseKeyProvider(dataDir), decision }
    case 'keychain-unavailable':
      return { provider: unavailableKeyProvider(decision.reason), decision }
  }
}
