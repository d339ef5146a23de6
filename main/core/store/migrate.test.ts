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
      'omemo_handled_messages',
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

  it('0003 runs on a database at version 2: reasons become codes, repeated-counter entries (second copies) go, drafts and kinds exist', () => {
    migrate(db, migrations.slice(0, 2))
    db.prepare("INSERT INTO accounts (jid, password, resource, created_at) VALUES ('a@b', 'p', 'r', 1)").run()
    const insert = db.prepare(
      "INSERT INTO messages (account_id, peer, direction, body, timestamp, state, encryption, undecryptable_reason, failure) VALUES (1, 'c@d', ?, ?, ?, ?, 'omemo', ?, ?)",
    )
    insert.run('in', 'readable', 1, 'received', null, null)
    insert.run('in', '', 2, 'received', 'Not encrypted for this device (sent by c@d device 7)', null)
    insert.run('in', '', 3, 'received', 'Refused: c@d device 7 presented a different identity key', null)
    insert.run('in', '', 4, 'received', 'Could not decrypt the message from c@d device 7: Message key not found. The counter was repeated or the key was not filled.', null)
    insert.run('in', '', 5, 'received', 'Could not decrypt the message from c@d device 7: Bad MAC', null)
    insert.run('in', '', 6, 'received', 'Could not decrypt the message from c@d device 7: No record for device c@d.7', null)
    insert.run('out', 'nobody', 7, 'failed', null, 'Not sent: no device of c@d can be encrypted for (device 7: you distrusted it).')
    insert.run('out', 'no devices', 8, 'failed', null, 'c@d has no OMEMO devices. Turn encryption off for this chat to send unencrypted.')
    db.prepare("INSERT INTO conversation_settings (account_id, peer, omemo) VALUES (1, 'c@d', 1)").run()
    migrate(db)
    expect(db.prepare('SELECT timestamp, kind, undecryptable, undecryptable_detail, failure, failure_detail FROM messages ORDER BY timestamp').all()).toEqual([
      { timestamp: 1, kind: 'chat', undecryptable: null, undecryptable_detail: null, failure: null, failure_detail: null },
      { timestamp: 2, kind: 'chat', undecryptable: 'not-for-this-device', undecryptable_detail: 'Not encrypted for this device (sent by c@d device 7)', failure: null, failure_detail: null },
      { timestamp: 3, kind: 'chat', undecryptable: 'identity-changed', undecryptable_detail: 'Refused: c@d device 7 presented a different identity key', failure: null, failure_detail: null },
      { timestamp: 5, kind: 'chat', undecryptable: 'bad-message', undecryptable_detail: 'Could not decrypt the message from c@d device 7: Bad MAC', failure: null, failure_detail: null },
      { timestamp: 6, kind: 'chat', undecryptable: 'no-session', undecryptable_detail: 'Could not decrypt the message from c@d device 7: No record for device c@d.7', failure: null, failure_detail: null },
      { timestamp: 7, kind: 'chat', undecryptable: null, undecryptable_detail: null, failure: 'no-usable-devices', failure_detail: null },
      { timestamp: 8, kind: 'chat', undecryptable: null, undecryptable_detail: null, failure: 'no-devices', failure_detail: null },
    ])
    expect(db.prepare('SELECT omemo, draft FROM conversation_settings').all()).toEqual([{ omemo: 1, draft: null }])
    expect(() => db.prepare("UPDATE messages SET undecryptable = 'because' WHERE timestamp = 2").run()).toThrow(/CHECK constraint/u)
  })
})
