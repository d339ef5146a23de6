import type { Db } from '../db.ts'

export type SettingsRepo = ReturnType<typeof createSettingsRepo>

/** App-wide settings as JSON values under a key. */
export function createSettingsRepo(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
  const set = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  const conversationGet = db.prepare<[number, string], { omemo: number | null }>('SELECT omemo FROM conversation_settings WHERE account_id = ? AND peer = ?')
  const conversationSet = db.prepare(`
    INSERT INTO conversation_settings (account_id, peer, omemo) VALUES (?, ?, ?)
    ON CONFLICT (account_id, peer) DO UPDATE SET omemo = excluded.omemo`)
  const draftGet = db.prepare<[number, string], { draft: string | null }>('SELECT draft FROM conversation_settings WHERE account_id = ? AND peer = ?')
  const draftSet = db.prepare(`
    INSERT INTO conversation_settings (account_id, peer, draft) VALUES (?, ?, ?)
    ON CONFLICT (account_id, peer) DO UPDATE SET draft = excluded.draft`)
  return {
    get<T>(key: string): T | undefined {
      const row = get.get(key)
      return row ? (JSON.parse(row.value) as T) : undefined
    },
    set: (key: string, value: unknown) => void set.run(key, JSON.stringify(value)),
    /** The user's explicit OMEMO choice for a conversation, or null if they never chose. */
    conversationOmemo: (accountId: number, peer: string): boolean | null => {
      const value = conversationGet.get(accountId, peer)?.omemo
      return value === undefined || value === null ? null : value === 1
    },
    setConversationOmemo: (accountId: number, peer: string, enabled: boolean) => void conversationSet.run(accountId, peer, enabled ? 1 : 0),
    /** Text typed in a conversation and not sent yet ('' when none). */
    draft: (accountId: number, peer: string): string => draftGet.get(accountId, peer)?.draft ?? '',
    setDraft: (accountId: number, peer: string, draft: string) => void draftSet.run(accountId, peer, draft === '' ? null : draft),
  }
}
