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
}

export const DATABASE_KEY_BYTES = 32
