import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCore, createFixedKeyProvider, createPassphraseKeyProvider, type Core } from '../index.ts'
import { openDatabase } from '../store/db.ts'
import { createStore } from '../store/store.ts'
import { KDF_FILE, STAGED_KDF_FILE } from './passphrase-key-provider.ts'

const OLD = 'old passphrase 123'
const NEW = 'new passphrase 456'

let dir: string
const cores: Core[] = []
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rekey-test-'))))
afterEach(async () => {
  await Promise.all(cores.splice(0).map((core) => core.close()))
  rmSync(dir, { recursive: true, force: true })
})

async function passphraseCore(): Promise<Core> {
  const core = await createCore({ dataDir: dir, keyProvider: createPassphraseKeyProvider(dir) })
  cores.push(core)
  return core
}

async function unlocked(passphrase: string): Promise<Core> {
  const core = await passphraseCore()
  await core.request('app:unlock', { passphrase })
  return core
}

/**
 * A database with one account in it, written straight through the store: accounts:add would first log in,
 * and this file tests the re-key, not a server (the account's server, a closed port, is never reached).
 */
async function seedAccount(passphrase: string, account: { jid: string; host: string; port: number }): Promise<void> {
  await (await unlocked(passphrase)).close()
  cores.pop()
  const key = await createPassphraseKeyProvider(dir).obtainKey({ passphrase, creating: false })
  const db = openDatabase(join(dir, 'messenger.db'), key)
  key.fill(0)
  try {
    createStore(db).accounts.insert({ ...account, password: 'pw', resource: 'seeded', createdAt: 1 })
  } finally {
    db.close()
  }
}

/** Every file in the data directory with its bytes (the database, its WAL, the key settings). */
function snapshot(): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name)).toString('base64')]))
}

describe('app:changePassphrase', () => {
  it('re-keys the database: the new passphrase opens it with all data, the old one no longer does', async () => {
    await seedAccount(OLD, { jid: 'alice@example.org', host: '127.0.0.1', port: 1 })
    const core = await unlocked(OLD)
    const [account] = await core.request('accounts:list', {})
    if (!account) throw new Error('the seeded account is missing')
    await core.request('settings:setOmemo', { preKeyCount: 42 })
    await core.request('omemo:setConversationEncryption', { accountId: account.id, peer: 'bob@example.org', enabled: false })
    const sent = await core.request('messages:send', { accountId: account.id, to: 'bob@example.org', body: 'kept across the re-key' })
    const oldSettings = readFileSync(join(dir, KDF_FILE), 'utf8')

    const state = await core.request('app:changePassphrase', { current: OLD, next: NEW })
    expect(state).toEqual({ phase: 'ready', databaseExists: true, keyProtection: 'passphrase' })
    // The open database keeps working after the re-key.
    expect((await core.request('accounts:list', {})).map((a) => a.jid)).toEqual(['alice@example.org'])
    await core.close()

    const newSettings = JSON.parse(readFileSync(join(dir, KDF_FILE), 'utf8')) as { salt: string }
    expect(newSettings.salt).not.toBe((JSON.parse(oldSettings) as { salt: string }).salt)
    expect(existsSync(join(dir, STAGED_KDF_FILE))).toBe(false)

    const refused = await passphraseCore()
    expect(await refused.call('app:unlock', { passphrase: OLD })).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } })

    const reopened = await unlocked(NEW)
    const accounts = await reopened.request('accounts:list', {})
    expect(accounts.map((a) => [a.id, a.jid, a.host, a.port])).toEqual([[account.id, 'alice@example.org', '127.0.0.1', 1]])
    expect((await reopened.request('settings:getOmemo', {})).preKeyCount).toBe(42)
    const messages = await reopened.request('messages:list', { accountId: account.id, peer: 'bob@example.org' })
    expect(messages.map((m) => [m.id, m.body])).toEqual([[sent.id, 'kept across the re-key']])
  })

  it('can change it again with the new passphrase as the current one', async () => {
    const core = await unlocked(OLD)
    await core.request('app:changePassphrase', { current: OLD, next: NEW })
    expect(await core.call('app:changePassphrase', { current: OLD, next: 'third passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'wrong-passphrase' },
    })
    await core.request('app:changePassphrase', { current: NEW, next: 'third passphrase' })
    await core.close()
    await unlocked('third passphrase')
  })

  it('refuses a wrong current passphrase and changes nothing', async () => {
    const core = await unlocked(OLD)
    await core.request('settings:setOmemo', { preKeyCount: 33 })
    const before = snapshot()
    expect(await core.call('app:changePassphrase', { current: 'not the passphrase', next: NEW })).toEqual({
      ok: false,
      error: { code: 'wrong-passphrase', message: 'The current passphrase is not right' },
    })
    expect(snapshot()).toEqual(before)
    await core.close()

    const withNew = await passphraseCore()
    expect(await withNew.call('app:unlock', { passphrase: NEW })).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } })
    const reopened = await unlocked(OLD)
    expect((await reopened.request('settings:getOmemo', {})).preKeyCount).toBe(33)
  })

  it('checks the new passphrase against the contract', async () => {
    const core = await unlocked(OLD)
    expect(await core.call('app:changePassphrase', { current: OLD, next: 'short' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: 'next: Use at least 8 characters' },
    })
    expect(await core.call('app:changePassphrase', { current: '', next: NEW })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('needs the app unlocked', async () => {
    const core = await unlocked(OLD)
    await core.close()
    const locked = await passphraseCore()
    expect(await locked.call('app:changePassphrase', { current: OLD, next: NEW })).toMatchObject({ ok: false, error: { code: 'locked' } })
  })

  it('is refused for a keychain-protected database', async () => {
    const core = await createCore({ dataDir: dir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
    cores.push(core)
    expect(await core.call('app:changePassphrase', { current: OLD, next: NEW })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'This database is protected by the system keychain, not a passphrase' },
    })
  })
})

describe('a passphrase change interrupted by a crash', () => {
  it('died after the re-key, before the new settings were moved in place: the new passphrase opens and finishes it', async () => {
    const core = await unlocked(OLD)
    await core.request('settings:setOmemo', { preKeyCount: 77 })
    copyFileSync(join(dir, KDF_FILE), join(dir, 'old-settings'))
    await core.request('app:changePassphrase', { current: OLD, next: NEW })
    await core.close()
    // Recreate the state between `PRAGMA rekey` and the rename: new settings still in the side file.
    copyFileSync(join(dir, KDF_FILE), join(dir, STAGED_KDF_FILE))
    copyFileSync(join(dir, 'old-settings'), join(dir, KDF_FILE))
    const newSettings = readFileSync(join(dir, STAGED_KDF_FILE), 'utf8')

    const withOld = await passphraseCore()
    expect(await withOld.call('app:unlock', { passphrase: OLD })).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } })
    expect(existsSync(join(dir, STAGED_KDF_FILE))).toBe(true)

    const reopened = await unlocked(NEW)
    expect((await reopened.request('settings:getOmemo', {})).preKeyCount).toBe(77)
    expect(readFileSync(join(dir, KDF_FILE), 'utf8')).toBe(newSettings)
    expect(existsSync(join(dir, STAGED_KDF_FILE))).toBe(false)
  })

  it('died before the re-key: the old passphrase still opens and the side file is dropped', async () => {
    const core = await unlocked(OLD)
    await core.close()
    // A side file for NEW from another data directory: the database was never re-keyed with it.
    const other = mkdtempSync(join(tmpdir(), 'rekey-other-'))
    try {
      const elsewhere = await createCore({ dataDir: other, keyProvider: createPassphraseKeyProvider(other) })
      await elsewhere.request('app:unlock', { passphrase: NEW })
      await elsewhere.close()
      copyFileSync(join(other, KDF_FILE), join(dir, STAGED_KDF_FILE))
    } finally {
      rmSync(other, { recursive: true, force: true })
    }

    const withNew = await passphraseCore()
    expect(await withNew.call('app:unlock', { passphrase: NEW })).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } })
    await unlocked(OLD)
    expect(existsSync(join(dir, STAGED_KDF_FILE))).toBe(false)
  })
})
