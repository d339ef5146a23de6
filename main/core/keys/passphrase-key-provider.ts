import { randomBytes, scrypt } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CoreError } from '../errors.ts'
import { DATABASE_KEY_BYTES, type KeyProvider } from './key-provider.ts'

/** KDF parameters are stored beside the database (they are not secret) so they can be raised later. */
interface KdfParams {
  kdf: 'scrypt'
  salt: string
  N: number
  r: number
  p: number
}

const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
export const KDF_FILE = 'database-kdf.json'

function deriveKey(passphrase: string, params: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const salt = Buffer.from(params.salt, 'base64')
    const options = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }
    scrypt(passphrase.normalize('NFC'), salt, DATABASE_KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

function readParams(path: string): KdfParams {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<KdfParams>
    if (parsed.kdf !== 'scrypt' || typeof parsed.salt !== 'string' || !parsed.N || !parsed.r || !parsed.p) throw new Error('bad shape')
    return parsed as KdfParams
  } catch (error) {
    throw new CoreError('internal', `The key derivation settings in ${path} are unreadable (${(error as Error).message})`)
  }
}

/** Derives the database key from a passphrase with scrypt and a per-installation random salt. */
export function createPassphraseKeyProvider(dataDir: string): KeyProvider {
  const paramsPath = join(dataDir, KDF_FILE)
  return {
    protection: 'passphrase',
    async obtainKey({ passphrase, creating }) {
      if (passphrase === undefined) throw new CoreError('locked', 'A passphrase is needed to open the database')
      let params: KdfParams
      if (!creating && !existsSync(paramsPath)) {
        throw new CoreError('internal', `The key settings file ${paramsPath} is missing; without it this database cannot be opened`)
      }
      if (creating) {
        params = { kdf: 'scrypt', salt: randomBytes(16).toString('base64'), ...DEFAULT_PARAMS }
        writeFileSync(paramsPath, JSON.stringify(params), { mode: 0o600 })
      } else {
        params = readParams(paramsPath)
      }
      return deriveKey(passphrase, params)
    },
  }
}

/** A provider with a key known in advance (tests, bots, and the Electron shell after safeStorage). */
export function createFixedKeyProvider(key: Buffer, protection: KeyProvider['protection'] = 'keychain'): KeyProvider {
  if (key.length !== DATABASE_KEY_BYTES) throw new Error(`The database key must be ${DATABASE_KEY_BYTES} bytes`)
  return { protection, obtainKey: async () => Buffer.from(key) }
}
