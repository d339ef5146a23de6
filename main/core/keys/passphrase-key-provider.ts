import { scrypt } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CoreError } from '../errors.ts'
import { newKdfParams, readKdfParams, replaceFile, writeKdfParamsAtomically, type KdfParams } from './kdf-params.ts'
import { DATABASE_KEY_BYTES, type KeyProvider, type PassphraseSettings } from './key-provider.ts'

export const KDF_FILE = 'database-kdf.json'
/** Settings of a passphrase change in progress; see keys/rekey.ts. */
export const STAGED_KDF_FILE = 'database-kdf.next.json'

/** The scrypt key for `passphrase` under the given parameters (salt and cost). */
export function deriveKeyWithParams(passphrase: string, params: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const salt = Buffer.from(params.salt, 'base64')
    const options = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }
    scrypt(passphrase.normalize('NFC'), salt, DATABASE_KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

function createPassphraseSettings(dataDir: string): PassphraseSettings {
  const paramsPath = join(dataDir, KDF_FILE)
  const stagedPath = join(dataDir, STAGED_KDF_FILE)
  return {
    derive: (passphrase) => deriveKeyWithParams(passphrase, readKdfParams(paramsPath)),
    async stage(passphrase) {
      const params = newKdfParams()
      const key = await deriveKeyWithParams(passphrase, params)
      writeKdfParamsAtomically(stagedPath, params)
      return key
    },
    deriveStaged: async (passphrase) => (existsSync(stagedPath) ? deriveKeyWithParams(passphrase, readKdfParams(stagedPath)) : null),
    commitStaged: () => replaceFile(stagedPath, paramsPath),
    discardStaged: () => rmSync(stagedPath, { force: true }),
  }
}

/** Derives the database key from a passphrase with scrypt and a per-installation random salt. */
export function createPassphraseKeyProvider(dataDir: string): KeyProvider {
  const paramsPath = join(dataDir, KDF_FILE)
  const passphraseSettings = createPassphraseSettings(dataDir)
  return {
    protection: 'passphrase',
    passphraseSettings,
    async obtainKey({ passphrase, creating }) {
      if (passphrase === undefined) throw new CoreError('locked', 'A passphrase is needed to open the database')
      if (!creating && !existsSync(paramsPath)) {
        throw new CoreError('internal', `The key settings file ${paramsPath} is missing; without it this database cannot be opened`)
      }
      if (creating) {
        const params = newKdfParams()
        writeFileSync(paramsPath, JSON.stringify(params), { mode: 0o600 })
        return deriveKeyWithParams(passphrase, params)
      }
      return passphraseSettings.derive(passphrase)
    },
  }
}

/** A provider with a key known in advance (tests, bots, and the Electron shell after safeStorage). */
export function createFixedKeyProvider(key: Buffer, protection: KeyProvider['protection'] = 'keychain'): KeyProvider {
  if (key.length !== DATABASE_KEY_BYTES) throw new Error(`The database key must be ${DATABASE_KEY_BYTES} bytes`)
  return { protection, obtainKey: async () => Buffer.from(key) }
}
