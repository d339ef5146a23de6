import { CoreError } from '../errors.ts'
import { openDatabase, type Db } from '../store/db.ts'
import type { PassphraseSettings } from './key-provider.ts'
import { keyDigest } from './rekey.ts'

function isWrongKey(error: unknown): boolean {
  return error instanceof CoreError && error.code === 'wrong-passphrase'
}

/**
 * Opens the database with `key`; for a passphrase database also settles a passphrase change that was
 * interrupted (see the crash window in keys/rekey.ts): if the main settings' key is refused, the side
 * file's key is tried and, when it opens the database, its settings are moved in place. If the main
 * key opens it, a leftover side file is from a change that never re-keyed and is deleted.
 * Returns the database and the digest of the key that opened it (the key itself is not kept).
 */
export async function openDatabaseSettlingRekey(
  path: string,
  key: Buffer,
  settings: PassphraseSettings | undefined,
  passphrase: string | undefined,
): Promise<{ db: Db; digest: Buffer }> {
  try {
    const db = openDatabase(path, key)
    settings?.discardStaged()
    return { db, digest: keyDigest(key) }
  } catch (error) {
    if (!settings || passphrase === undefined || !isWrongKey(error)) throw error
    const stagedKey = await settings.deriveStaged(passphrase)
    if (!stagedKey) throw error
    try {
      const db = openDatabase(path, stagedKey)
      try {
        settings.commitStaged()
      } catch (commitError) {
        console.error('[core] could not move the new key settings in place; retried at the next unlock:', commitError)
      }
      return { db, digest: keyDigest(stagedKey) }
    } catch (stagedError) {
      throw isWrongKey(stagedError) ? error : stagedError
    } finally {
      stagedKey.fill(0)
    }
  }
}
