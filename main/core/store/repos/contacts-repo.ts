import type { Subscription } from '../../../../preload/api.ts'
import type { Db } from '../db.ts'

export interface ContactRow {
  account_id: number
  jid: string
  name: string | null
  subscription: Subscription
  pending_out: number
  pending_in: number
  in_roster: number
}

export type ContactsRepo = ReturnType<typeof createContactsRepo>

export function createContactsRepo(db: Db) {
  const list = db.prepare<[number], ContactRow>('SELECT * FROM contacts WHERE account_id = ? ORDER BY jid')
  const get = db.prepare<[number, string], ContactRow>('SELECT * FROM contacts WHERE account_id = ? AND jid = ?')
  const upsert = db.prepare(`
    INSERT INTO contacts (account_id, jid, name, subscription, pending_out, pending_in, in_roster)
    VALUES (@account_id, @jid, @name, @subscription, @pending_out, @pending_in, @in_roster)
    ON CONFLICT (account_id, jid) DO UPDATE SET
      name = excluded.name, subscription = excluded.subscription, pending_out = excluded.pending_out,
      pending_in = excluded.pending_in, in_roster = excluded.in_roster`)
  const remove = db.prepare('DELETE FROM contacts WHERE account_id = ? AND jid = ?')

  return {
    list: (accountId: number) => list.all(accountId),
    get: (accountId: number, jid: string) => get.get(accountId, jid),
    /** Reads the row (or a blank one), applies `change`, writes it back and returns it. */
    update(accountId: number, jid: string, change: (row: ContactRow) => void): ContactRow {
      const row: ContactRow = get.get(accountId, jid) ?? {
        account_id: accountId,
        jid,
        name: null,
        subscription: 'none',
        pending_out: 0,
        pending_in: 0,
        in_roster: 0,
      }
      change(row)
      upsert.run(row)
      return row
    },
    remove: (accountId: number, jid: string) => void remove.run(accountId, jid),
  }
}
