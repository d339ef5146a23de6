import { CoreError } from '../errors.ts'
import type { Db } from './db.ts'
import { migrations, type Migration } from './migrations/index.ts'

/**
 * Brings the schema up to the newest version, one migration per transaction, and records the
 * version in `PRAGMA user_version`. Refuses a database written by a newer version of the app.
 */
export function migrate(db: Db, all: readonly Migration[] = migrations): number {
  const latest = all.length
  all.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`Migration ${migration.name} is out of order`)
  })
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > latest) {
    throw new CoreError(
      'internal',
      `This database was written by a newer version of the app (schema ${current}, this version knows ${latest}). Update the app.`,
    )
  }
  for (const migration of all.slice(current)) {
    db.transaction(() => {
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    }).immediate()
  }
  return latest
}
