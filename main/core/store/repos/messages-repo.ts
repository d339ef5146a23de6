import type { FailureCode, MessageDirection, MessageState, TrustState, UndecryptableCode } from '../../../../preload/api.ts'
import type { Db } from '../db.ts'

export interface MessageRow {
  id: number
  account_id: number
  peer: string
  direction: MessageDirection
  body: string
  timestamp: number
  state: MessageState
  origin_id: string | null
  stanza_id: string | null
  remote_id: string | null
  from_other_device: number
  read: number
  encryption: 'none' | 'omemo'
  sender_device: number | null
  sender_trust: TrustState | null
  undecryptable: UndecryptableCode | null
  /** The technical reason that went with `undecryptable` (a library error), for the details view. */
  undecryptable_detail: string | null
  /** JSON of EncryptionReportDto */
  encryption_report: string | null
  failure: FailureCode | null
  failure_detail: string | null
  kind: 'chat' | 'invitation'
  /** JSON of InvitationDto, for kind 'invitation'. */
  invitation: string | null
}

type OptionalColumns =
  | 'encryption'
  | 'sender_device'
  | 'sender_trust'
  | 'undecryptable'
  | 'undecryptable_detail'
  | 'encryption_report'
  | 'failure'
  | 'failure_detail'
  | 'kind'
  | 'invitation'
export type NewMessage = Omit<MessageRow, 'id' | 'read' | OptionalColumns> & { read?: number } & Partial<Pick<MessageRow, OptionalColumns>>

const DEFAULTS = {
  encryption: 'none',
  sender_device: null,
  sender_trust: null,
  undecryptable: null,
  undecryptable_detail: null,
  encryption_report: null,
  failure: null,
  failure_detail: null,
  kind: 'chat',
  invitation: null,
} as const

export interface ConversationRow {
  peer: string
  last_id: number
  unread: number
}

export type MessagesRepo = ReturnType<typeof createMessagesRepo>

export function createMessagesRepo(db: Db) {
  const insert = db.prepare(`
    INSERT INTO messages (account_id, peer, direction, body, timestamp, state, origin_id, stanza_id, remote_id, from_other_device, read,
      encryption, sender_device, sender_trust, undecryptable, undecryptable_detail, encryption_report, failure, failure_detail, kind, invitation)
    VALUES (@account_id, @peer, @direction, @body, @timestamp, @state, @origin_id, @stanza_id, @remote_id, @from_other_device, @read,
      @encryption, @sender_device, @sender_trust, @undecryptable, @undecryptable_detail, @encryption_report, @failure, @failure_detail, @kind, @invitation)`)
  const byId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?')
  const byStanzaId = db.prepare<[number, string], MessageRow>('SELECT * FROM messages WHERE account_id = ? AND stanza_id = ?')
  const byOriginId = db.prepare<[number, string, string, string], MessageRow>(
    'SELECT * FROM messages WHERE account_id = ? AND peer = ? AND direction = ? AND origin_id = ?',
  )
  const byRemoteId = db.prepare<[number, string, string, string, string], MessageRow>(
    'SELECT * FROM messages WHERE account_id = ? AND peer = ? AND direction = ? AND remote_id = ? AND body = ?',
  )
  const setStanzaId = db.prepare('UPDATE messages SET stanza_id = ? WHERE id = ? AND stanza_id IS NULL')
  const setState = db.prepare('UPDATE messages SET state = ? WHERE id = ?')
  const setEncrypted = db.prepare('UPDATE messages SET encryption = ?, encryption_report = ? WHERE id = ?')
  const setFailed = db.prepare("UPDATE messages SET state = 'failed', failure = ?, failure_detail = ?, encryption_report = coalesce(?, encryption_report) WHERE id = ?")
  const requeue = db.prepare("UPDATE messages SET state = 'queued', failure = NULL, failure_detail = NULL, encryption = ?, encryption_report = NULL WHERE id = ?")
  // Conversations are shown in the order messages reached this client (ids), which is also the order
  // of the archive; archive timestamps have whole-second precision and cannot order a fast exchange.
  const latest = db.prepare<[number, string, number], MessageRow>(
    'SELECT * FROM (SELECT * FROM messages WHERE account_id = ? AND peer = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  )
  const before = db.prepare<[number, string, number, number], MessageRow>(
    'SELECT * FROM (SELECT * FROM messages WHERE account_id = ? AND peer = ? AND id < ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  )
  const unsent = db.prepare<[number], MessageRow>(
    "SELECT * FROM messages WHERE account_id = ? AND direction = 'out' AND from_other_device = 0 AND state IN ('queued', 'sent') ORDER BY id",
  )
  const conversations = db.prepare<[number], ConversationRow>(`
    SELECT peer,
      MAX(id) AS last_id,
      SUM(CASE WHEN direction = 'in' AND read = 0 THEN 1 ELSE 0 END) AS unread
    FROM messages m WHERE account_id = ? GROUP BY peer`)
  const conversation = db.prepare<[number, string], ConversationRow>(`
    SELECT peer,
      MAX(id) AS last_id,
      SUM(CASE WHEN direction = 'in' AND read = 0 THEN 1 ELSE 0 END) AS unread
    FROM messages m WHERE account_id = ? AND peer = ? GROUP BY peer`)
  const markRead = db.prepare('UPDATE messages SET read = 1 WHERE account_id = ? AND peer = ? AND read = 0')

  return {
    get: (id: number) => byId.get(id),
    insert(message: NewMessage): MessageRow {
      const { lastInsertRowid } = insert.run({ read: 0, ...DEFAULTS, ...message })
      return byId.get(Number(lastInsertRowid))!
    },
    /**
     * XEP-0359 deduplication: the same message can arrive live, as a carbon, from offline storage
     * and from the archive. Matches by our archive's stanza-id, then the sender's origin-id, then
     * (for senders without XEP-0359) the message id together with the body.
     */
    findDuplicate(accountId: number, m: Pick<MessageRow, 'peer' | 'direction' | 'stanza_id' | 'origin_id' | 'remote_id'> & { body: string | null }) {
      return (
        (m.stanza_id ? byStanzaId.get(accountId, m.stanza_id) : undefined) ??
        (m.origin_id ? byOriginId.get(accountId, m.peer, m.direction, m.origin_id) : undefined) ??
        (m.remote_id && m.body !== null ? byRemoteId.get(accountId, m.peer, m.direction, m.remote_id, m.body) : undefined)
      )
    },
    findByOriginId: (accountId: number, peer: string, direction: MessageDirection, originId: string) =>
      byOriginId.get(accountId, peer, direction, originId),
    rememberStanzaId: (id: number, stanzaId: string) => void setStanzaId.run(stanzaId, id),
    setState: (id: number, state: MessageState) => void setState.run(state, id),
    setEncrypted: (id: number, report: string | null) => void setEncrypted.run('omemo', report, id),
    /** Never sent, or bounced; `report` (JSON) replaces the stored encryption report when given. */
    setFailed: (id: number, failure: FailureCode, detail: string | null, report: string | null = null) => void setFailed.run(failure, detail, report, id),
    /** A failed message the user retries: queued again, to be encrypted (or not) as the chat is now. */
    requeue: (id: number, encryption: MessageRow['encryption']) => void requeue.run(encryption, id),
    list(accountId: number, peer: string, limit: number, beforeId?: number): MessageRow[] {
      return beforeId === undefined ? latest.all(accountId, peer, limit) : before.all(accountId, peer, beforeId, limit)
    },
    unsent: (accountId: number) => unsent.all(accountId),
    conversations: (accountId: number) => conversations.all(accountId),
    conversation: (accountId: number, peer: string) => conversation.get(accountId, peer),
    markRead: (accountId: number, peer: string) => void markRead.run(accountId, peer),
  }
}
