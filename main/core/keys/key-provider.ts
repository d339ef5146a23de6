/**
 * Where the database key comes from (ARCHITECTURE.md "Security posture").
 * - keychain: a random 256-bit key kept by the OS keychain (Electron safeStorage); no user input.
 * - passphrase: derived from the user's passphrase (browser mode, Linux without a keyring).
 * There is no plaintext option.
 */
export interface KeyProvider {
  readonly protection: 'passphrase' | 'keychain'
  /** Returns the raw 32-byte database key. `passphrase` is given when protection is 'passphrase'. */
  obtainKey(request: { passphrase?: string; creating: boolean }): Promise<Buffer>
  /** Passphrase providers that can change the passphrase (keys/rekey.ts) expose their key settings. */
  readonly passphraseSettings?: PassphraseSettings
}

/**
 * The key settings of a passphrase-protected database: those in use, and "staged" ones written by a
 * passphrase change before it re-keys the database (see keys/rekey.ts for why).
 */
export interface PassphraseSettings {
  /** The key `passphrase` gives with the settings in use. */
  derive(passphrase: string): Promise<Buffer>
  /** Writes fresh settings (new random salt) to the side file; returns the key `passphrase` gives with them. */
  stage(passphrase: string): Promise<Buffer>
  /** The key `passphrase` gives with the staged settings, or null when nothing is staged. */
  deriveStaged(passphrase: string): Promise<Buffer | null>
  /** The staged settings become the settings in use (one atomic rename). */
  commitStaged(): void
  /** Forgets staged settings (the database was not re-keyed with them). */
  discardStaged(): void
}

export const DATABASE_KEY_BYTES = 32
