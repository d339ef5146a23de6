/**
 * Key storage with the REAL core and SQLCipher. safeStorage cannot run outside Electron, so a small
 * fake stands in for it: AES-256-GCM under a key that plays the OS keychain.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore } from '../core/index.ts'
import { createPassphraseKeyProvider } from '../core/keys/passphrase-key-provider.ts'
import {
  createKeychainKeyProvider,
  createSafeStorageKeyProvider,
  decideKeyStorage,
  KEYCHAIN_KEY_FILE,
  PASSPHRASE_SETTINGS_FILE,
  type KeyStorageFacts,
  type SafeStorageLike,
} from './key-storage.ts'

class FakeSafeStorage implements SafeStorageLike {
  available = true
  backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']> = 'gnome_libsecret'
  rotateOnNextDecrypt = false
  encryptCount = 0
  readonly #osKey = randomBytes(32)

  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return this.available
  }
  getSelectedStorageBackend() {
    return this.backend
  }
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    if (!this.available) throw new Error('Encryption is not available')
    this.encryptCount += 1
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#osKey, iv)
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body])
  }
  async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    if (!this.available) throw new Error('Decryption is not available')
    const decipher = createDecipheriv('aes-256-gcm', this.#osKey, encrypted.subarray(0, 12))
    decipher.setAuthTag(encrypted.subarray(12, 28))
    const result = Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8')
    const shouldReEncrypt = this.rotateOnNextDecrypt
    this.rotateOnNextDecrypt = false
    return { result, shouldReEncrypt }
  }
}

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'key-storage-test-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const base: KeyStorageFacts = { platform: 'linux', encryptionAvailable: true, linuxBackend: 'gnome_libsecret', hasKeychainKey: false, hasPassphraseSettings: false }

describe('decideKeyStorage', () => {
  it.each<[string, Partial<KeyStorageFacts>, string]>([
    ['Linux with libsecret', {}, 'keychain'],
    ['Linux with KWallet 6', { linuxBackend: 'kwallet6' }, 'keychain'],
    ['Linux basic_text (no keyring)', { linuxBackend: 'basic_text' }, 'passphrase'],
    ['Linux backend unknown', { linuxBackend: 'unknown' }, 'passphrase'],
    ['Linux backend not reported', { linuxBackend: null }, 'passphrase'],
    ['encryption unavailable', { encryptionAvailable: false }, 'passphrase'],
    ['macOS keychain', { platform: 'darwin', linuxBackend: null }, 'keychain'],
    ['Windows DPAPI', { platform: 'win32', linuxBackend: null }, 'keychain'],
    ['macOS without keychain', { platform: 'darwin', linuxBackend: null, encryptionAvailable: false }, 'passphrase'],
    ['a passphrase database, keyring available now', { hasPassphraseSettings: true }, 'passphrase'],
    ['a keychain database', { hasKeychainKey: true }, 'keychain'],
    ['a keychain database, keyring gone', { hasKeychainKey: true, linuxBackend: 'basic_text' }, 'keychain-unavailable'],
    ['a keychain database, encryption gone', { hasKeychainKey: true, encryptionAvailable: false }, 'keychain-unavailable'],
  ])('%s → %s', (_name, facts, use) => {
    expect(decideKeyStorage({ ...base, ...facts }).use).toBe(use)
  })
})

describe('safeStorage key provider', () => {
  it('creates a random 32-byte key, stores it only encrypted, and reads the same key back', async () => {
    const dir = tempDir()
    const safeStorage = new FakeSafeStorage()
    const key = await createSafeStorageKeyProvider(safeStorage, dir).obtainKey({ creating: true })
    expect(key).toHaveLength(32)
    const stored = readFileSync(join(dir, KEYCHAIN_KEY_FILE))
    expect(stored.toString('latin1')).not.toContain(key.toString('hex'))
    expect(stored.includes(key)).toBe(false)
    expect(statSync(join(dir, KEYCHAIN_KEY_FILE)).mode & 0o077).toBe(0)
    const again = await createSafeStorageKeyProvider(safeStorage, dir).obtainKey({ creating: false })
    expect(again.equals(key)).toBe(true)
  })

  it('re-encrypts the key when the keychain asks for it', async () => {
    const dir = tempDir()
    const safeStorage = new FakeSafeStorage()
    const provider = createSafeStorageKeyProvider(safeStorage, dir)
    const key = await provider.obtainKey({ creating: true })
    const before = readFileSync(join(dir, KEYCHAIN_KEY_FILE))
    safeStorage.rotateOnNextDecrypt = true
    expect((await provider.obtainKey({ creating: false })).equals(key)).toBe(true)
    expect(readFileSync(join(dir, KEYCHAIN_KEY_FILE)).equals(before)).toBe(false)
    expect((await provider.obtainKey({ creating: false })).equals(key)).toBe(true)
  })

  it('refuses a missing or damaged key file with a clear error', async () => {
    const dir = tempDir()
    const provider = createSafeStorageKeyProvider(new FakeSafeStorage(), dir)
    await expect(provider.obtainKey({ creating: false })).rejects.toMatchObject({ code: 'internal', message: /missing/u })
    writeFileSync(join(dir, KEYCHAIN_KEY_FILE), 'garbage garbage garbage garbage')
    await expect(provider.obtainKey({ creating: false })).rejects.toMatchObject({ code: 'internal', message: /could not decrypt/u })
  })
})

describe('createKeychainKeyProvider with the real core', () => {
  it('opens the database without user input and reopens it with the stored key', async () => {
    const dir = tempDir()
    const safeStorage = new FakeSafeStorage()
    const first = await createKeychainKeyProvider(safeStorage, dir, 'linux')
    expect(first.decision).toEqual({ use: 'keychain' })
    const core = await createCore({ dataDir: dir, keyProvider: first.provider })
    expect(await core.request('app:state', {})).toEqual({ phase: 'ready', databaseExists: true, keyProtection: 'keychain' })
    await core.close()

    const second = await createKeychainKeyProvider(safeStorage, dir, 'linux')
    const reopened = await createCore({ dataDir: dir, keyProvider: second.provider })
    expect(await reopened.request('app:state', {})).toMatchObject({ phase: 'ready' })
    expect(await reopened.request('accounts:list', {})).toEqual([])
    await reopened.close()
  })

  it('falls back to a passphrase on Linux without a keyring, and stays with it later', async () => {
    const dir = tempDir()
    const safeStorage = new FakeSafeStorage()
    safeStorage.backend = 'basic_text'
    const { provider, decision } = await createKeychainKeyProvider(safeStorage, dir, 'linux')
    expect(decision.use).toBe('passphrase')
    const core = await createCore({ dataDir: dir, keyProvider: provider })
    expect(await core.request('app:state', {})).toEqual({ phase: 'locked', databaseExists: false, keyProtection: 'passphrase' })
    expect(await core.request('app:unlock', { passphrase: 'correct horse battery' })).toMatchObject({ phase: 'ready' })
    await core.close()
    expect(existsSync(join(dir, KEYCHAIN_KEY_FILE))).toBe(false)
    expect(safeStorage.encryptCount).toBe(0)
    // The passphrase provider's settings file is what marks a passphrase database.
    expect(existsSync(join(dir, PASSPHRASE_SETTINGS_FILE))).toBe(true)

    safeStorage.backend = 'gnome_libsecret'
    expect((await createKeychainKeyProvider(safeStorage, dir, 'linux')).decision.use).toBe('passphrase')
  })

  it('keeps a keychain database closed and untouched when the keychain is gone', async () => {
    const dir = tempDir()
    const safeStorage = new FakeSafeStorage()
    const core = await createCore({ dataDir: dir, keyProvider: (await createKeychainKeyProvider(safeStorage, dir, 'linux')).provider })
    await core.close()
    const databaseFiles = ['messenger.db'].map((name) => join(dir, name)).filter((path) => existsSync(path))
    expect(databaseFiles).toHaveLength(1)
    const digest = () => databaseFiles.map((path) => createHash('sha256').update(readFileSync(path)).digest('hex')).join()
    const before = digest()

    safeStorage.backend = 'basic_text'
    const { provider, decision } = await createKeychainKeyProvider(safeStorage, dir, 'linux')
    expect(decision.use).toBe('keychain-unavailable')
    await expect(createCore({ dataDir: dir, keyProvider: provider })).rejects.toMatchObject({ code: 'locked', message: /keyring/u })
    expect(digest()).toBe(before)
    expect(existsSync(join(dir, PASSPHRASE_SETTINGS_FILE))).toBe(false)
  })

  it('never lets a passphrase provider open a keychain database', async () => {
    const dir = tempDir()
    const core = await createCore({ dataDir: dir, keyProvider: (await createKeychainKeyProvider(new FakeSafeStorage(), dir, 'linux')).provider })
    await core.close()
    const passphraseCore = await createCore({ dataDir: dir, keyProvider: createPassphraseKeyProvider(dir) })
    expect(await passphraseCore.call('app:unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: false,
      error: { code: 'internal', message: /key settings file .* is missing/u },
    })
    // Refusing wrote no passphrase settings that could later shadow the keychain key.
    expect(existsSync(join(dir, PASSPHRASE_SETTINGS_FILE))).toBe(false)
    await passphraseCore.close()
  })
})
