import Database from 'better-sqlite3-multiple-ciphers'
import { existsSync } from 'node:fs'
import { CoreError } from '../errors.ts'
import { DATABASE_KEY_BYTES } from '../keys/key-provider.ts'

export type Db = Database.Database

/**
 * Opens (or creates) the SQLCipher v4 database. The only file that imports the driver.
 * The key is applied before any other statement; a wrong key is detected by a read-only query
 * before anything is written, so a wrong key or passphrase leaves the file untouched.
 */
export function openDatabase(path: string, key: Buffer): Db {
  if (key.length !== DATABASE_KEY_BYTES) throw new CoreError('internal', 'The database key has the wrong length')
  const existed = existsSync(path)
  const db = new Database(path)
  try {
    db.pragma("cipher='sqlcipher'")
    db.pragma('legacy=4')
    db.pragma(`key="x'${key.toString('hex')}'"`)
    // SQLCipher reports a wrong key only at the first real read (SQLITE_NOTADB).
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (error) {
    db.close()
    if ((error as { code?: string }).code === 'SQLITE_NOTADB' && existed) {
      throw new CoreError('wrong-passphrase', 'The database could not be opened: wrong passphrase or key')
    }
    throw error
  }
  db.pragma('journal_mode = WAL')
  // WAL + NORMAL: a commit is durable once written to the WAL, so a killed app loses nothing it
  // committed; only a power loss can drop the last commits (no fsync per message during a catch-up).
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  return db
}

/**
 * Re-encrypts every page of the open database with `key` (`PRAGMA rekey`, same raw-key syntax as `key`).
 * In WAL mode SQLite3 Multiple Ciphers writes the re-keyed pages as one WAL transaction: a crash before its
 * commit leaves the old key, after it the new one. Once this returns, the new key is in force; the
 * checkpoint only moves the pages into the main file early (a failed one is retried by SQLite later).
 */
export function rekeyDatabase(db: Db, key: Buffer): void {
  if (key.length !== DATABASE_KEY_BYTES) throw new CoreError('internal', 'The database key has the wrong length')
  db.pragma(`rekey="x'${key.toString('hex')}'"`)
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
  } catch {
    // Not needed for correctness: the committed WAL frames already carry the new key.
  }
}

/** Runs `work` in one IMMEDIATE transaction: everything commits together or nothing does. */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate()
}
