import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPassphraseKeyProvider } from '../keys/passphrase-key-provider.ts'
import { openDatabase } from './db.ts'
import { migrate } from './migrate.ts'

let dir: string
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'db-test-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('encrypted store', () => {
  it('writes no plaintext to disk', () => {
    const path = join(dir, 'm.db')
    const db = openDatabase(path, randomBytes(32))
    migrate(db)
    db.prepare("INSERT INTO accounts (jid, password, resource, created_at) VALUES ('alice@example.org', 'hunter2-secret', 'r', 1)").run()
    db.close()
    const bytes = readFileSync(path)
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\u0000')
    expect(bytes.includes(Buffer.from('hunter2-secret'))).toBe(false)
    expect(bytes.includes(Buffer.from('alice@example.org'))).toBe(false)
  })

  it('a wrong key gives a clear error and leaves the file byte-for-byte untouched', () => {
    const path = join(dir, 'm.db')
    const key = randomBytes(32)
    const db = openDatabase(path, key)
    migrate(db)
    db.close()
    const before = readFileSync(path)
    const filesBefore = readdirSync(dir).sort()
    expect(() => openDatabase(path, randomBytes(32))).toThrow(/wrong passphrase or key/u)
    expect(Buffer.compare(before, readFileSync(path))).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(filesBefore)
    const again = openDatabase(path, key)
    expect(again.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 0 })
    again.close()
  })

  it('derives the same key from the same passphrase and a different one from another', async () => {
    const provider = createPassphraseKeyProvider(dir)
    const created = await provider.obtainKey({ passphrase: 'correct horse battery', creating: true })
    const again = await provider.obtainKey({ passphrase: 'correct horse battery', creating: false })
    const wrong = await provider.obtainKey({ passphrase: 'correct horse batterz', creating: false })
    expect(created.length).toBe(32)
    expect(again.equals(created)).toBe(true)
    expect(wrong.equals(created)).toBe(false)
    await expect(provider.obtainKey({ creating: false })).rejects.toThrow(/passphrase is needed/u)
  })
})
