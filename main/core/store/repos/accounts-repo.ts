import type { Db } from '../db.ts'

export interface AccountRow {
  id: number
  jid: string
  password: string
  resource: string
  host: string | null
  port: number | null
  enabled: number
  pinned_cert_sha256: string | null
  pinned_cert_pem: string | null
  mam_cursor: string | null
  mam_since: number | null
  created_at: number
}

export interface NewAccount {
  jid: string
  password: string
  resource: string
  host: string | null
  port: number | null
  createdAt: number
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>

export function createAccountsRepo(db: Db) {
  const list = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id')
  const byId = db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?')
  const byJid = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE jid = ?')
  const insert = db.prepare(
    'INSERT INTO accounts (jid, password, resource, host, port, created_at) VALUES (@jid, @password, @resource, @host, @port, @createdAt)',
  )
  const setConnection = db.prepare('UPDATE accounts SET password = @password, host = @host, port = @port WHERE id = @id')
  const setEnabled = db.prepare('UPDATE accounts SET enabled = ? WHERE id = ?')
  const setPin = db.prepare('UPDATE accounts SET pinned_cert_sha256 = ?, pinned_cert_pem = ? WHERE id = ?')
  const setMamCursor = db.prepare('UPDATE accounts SET mam_cursor = ? WHERE id = ?')
  const setMamSince = db.prepare('UPDATE accounts SET mam_since = ? WHERE id = ?')
  const remove = db.prepare('DELETE FROM accounts WHERE id = ?')

  return {
    list: () => list.all(),
    get: (id: number) => byId.get(id),
    getByJid: (jid: string) => byJid.get(jid),
    insert(account: NewAccount): AccountRow {
      const { lastInsertRowid } = insert.run(account)
      return byId.get(Number(lastInsertRowid))!
    },
    setConnection(id: number, connection: { password: string; host: string | null; port: number | null }) {
      setConnection.run({ id, ...connection })
    },
    setEnabled: (id: number, enabled: boolean) => void setEnabled.run(enabled ? 1 : 0, id),
    setPin: (id: number, sha256: string | null, pem: string | null) => void setPin.run(sha256, pem, id),
    setMamCursor: (id: number, cursor: string) => void setMamCursor.run(cursor, id),
    setMamSince: (id: number, since: number) => void setMamSince.run(since, id),
    remove: (id: number) => void remove.run(id),
  }
}
