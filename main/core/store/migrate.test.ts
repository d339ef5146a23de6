import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from './db.ts'
import { migrate } from './migrate.ts'
import { migrations } from './migrations/index.ts'

let dir: string
let db: Db

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migrate-test-'))
  db = openDatabase(join(dir, 'test.db'), randomBytes(32))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const tables = (database: Db) =>
  (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name)

describe('migrations', () => {
  it('brings an empty database to the latest version, STRICT tables with foreign keys on', () => {
    expect(migrate(db)).toBe(migrations.length)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length)
    expect(tables(db)).toEqual([
      'accounts',
      'contacts',
      'conversation_settings',
      'messages',
      'omemo_devices',
      'omemo_own_devices',
      'omemo_prekeys',
      'omemo_sessions',
      'omemo_signed_prekeys',
      'settings',
    ])
    expect(() => db.prepare("INSERT INTO accounts (jid, password, resource, created_at) VALUES ('a@b', 'p', 'r', 'not a number')").run()).toThrow(
      /cannot store TEXT value in INTEGER column/u,
    )
    expect(() => db.prepare("INSERT INTO contacts (account_id, jid) VALUES (999, 'x@y')").run()).toThrow(/FOREIGN KEY/u)
  })

  it('is idempotent: running again changes nothing', () => {
    migrate(db)
    db.prepare("INSERT INTO accounts (jid, password, resource, created_at) VALUES ('a@b', 'p', 'r', 1)").run()
    migrate(db)
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 1 })
  })

  it('0001 runs on a database at version 0 only', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(0)
    migrate(db, migrations.slice(0, 1))
    expect(db.pragma('user_version', { simple: true })).toBe(1)
  })

  it('refuses a database written by a newer version of the app', () => {
    migrate(db)
    db.pragma(`user_version = ${migrations.length + 1}`)
    expect(() => migrate(db)).toThrow(/newer version of the app/u)
  })

  it('rolls back a failing migration completely', () => {
    const broken = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', up: (d: Db) => d.exec('CREATE TABLE half (x INTEGER) STRICT; SELECT * FROM no_such_table') },
    ]
    migrate(db)
    expect(() => migrate(db, broken)).toThrow(/no such table/u)
    expect(tables(db)).not.toContain('half')
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length)
  })

  it('0002 runs on a database at version 1 and keeps its messages, as plain (not OMEMO) ones', () => {
    migrate(db, migrations.slice(0, 1))
    db.prepare("INSERT INTO accounts (jid, password, resource, created_at) VALUES ('a@b', 'p', 'r', 1)").run()
    db.prepare("INSERT INTO messages (account_id, peer, direction, body, timestamp, state) VALUES (1, 'c@d', 'in', 'old', 1, 'received')").run()
    migrate(db)
    expect(db.prepare('SELECT body, encryption, sender_device, encryption_report FROM messages').all()).toEqual([
      { body: 'old', encryption: 'none', sender_device: null, encryption_report: null },
    ])
  })
})
