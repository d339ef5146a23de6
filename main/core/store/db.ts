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

/** Runs `work` in one IMMEDIATE transaction: everything commits together or nothing does. */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate()
}
