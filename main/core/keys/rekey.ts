/**
 * Changing the database passphrase: re-key the open SQLCipher database and replace the scrypt settings.
 *
 * Crash window. The key lives in two places that cannot change together: the database pages (re-keyed
 * atomically by SQLite) and the scrypt settings file (salt). The order below keeps every crash
 * recoverable with the passphrase the database really has:
 *   1. check `current` (nothing written);
 *   2. write the new settings to a side file, database-kdf.next.json (temp file + fsync + rename);
 *   3. `PRAGMA rekey` (one WAL transaction: before its commit the old key holds, after it the new one);
 *   4. rename the side file over database-kdf.json (atomic).
 * Dying before 3 commits: the old passphrase opens with the main settings and the side file is deleted.
 * Dying between 3 and 4: the main settings no longer fit, so unlocking also tries the side file's, and
 * the new passphrase opens the database and finishes step 4 (keys/rekey-recovery.ts). The old passphrase
 * is then refused, as it should be. What is not covered: losing the side file itself between 3 and 4.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { CoreError } from '../errors.ts'
import { rekeyDatabase, type Db } from '../store/db.ts'
import type { PassphraseSettings } from './key-provider.ts'

/** A one-way fingerprint of the key in use, kept instead of the key itself to check `current` later. */
export function keyDigest(key: Buffer): Buffer {
  return createHash('sha256').update(key).digest()
}

export interface PassphraseChange {
  db: Db
  settings: PassphraseSettings
  /** keyDigest() of the key the database is open with. */
  inUse: Buffer
  current: string
  next: string
}

/** Re-keys the database for `next` after checking `current`; returns the new key's digest. */
export async function changeDatabasePassphrase({ db, settings, inUse, current, next }: PassphraseChange): Promise<Buffer> {
  const currentKey = await settings.derive(current)
  const matches = timingSafeEqual(keyDigest(currentKey), inUse)
  currentKey.fill(0)
  if (!matches) throw new CoreError('wrong-passphrase', 'The current passphrase is not right')

  const nextKey = await settings.stage(next)
  try {
    // If rekey throws, SQLite rolled it back and the old key still holds; the side file stays and is
    // sorted out at the next unlock (the old passphrase opens with the main settings and deletes it).
    rekeyDatabase(db, nextKey)
    const digest = keyDigest(nextKey)
    try {
      settings.commitStaged()
    } catch (error) {
      // The database already has the new key; the side file finishes the change at the next unlock.
      console.error('[core] could not move the new key settings in place; they are adopted at the next unlock:', error)
    }
    return digest
  } finally {
    nextKey.fill(0)
  }
}
