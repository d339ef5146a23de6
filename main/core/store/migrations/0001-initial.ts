import type { Migration } from './index.ts'

/** Accounts, roster and 1:1 message history. Timestamps are integer milliseconds. */
export const initial: Migration = {
  version: 1,
  name: '0001-initial',
  up(db) {
    db.exec(`
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        jid TEXT NOT NULL UNIQUE,
        password TEXT NOT NULL,
        resource TEXT NOT NULL,
        host TEXT,
        port INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1,
        pinned_cert_sha256 TEXT,
        pinned_cert_pem TEXT,
        mam_cursor TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE contacts (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        jid TEXT NOT NULL,
        name TEXT,
        subscription TEXT NOT NULL DEFAULT 'none' CHECK (subscription IN ('none', 'to', 'from', 'both')),
        pending_out INTEGER NOT NULL DEFAULT 0,
        pending_in INTEGER NOT NULL DEFAULT 0,
        in_roster INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, jid)
      ) STRICT;

      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        peer TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        body TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked', 'delivered', 'received', 'failed')),
        origin_id TEXT,
        stanza_id TEXT,
        remote_id TEXT,
        from_other_device INTEGER NOT NULL DEFAULT 0,
        read INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE INDEX messages_by_conversation ON messages (account_id, peer, id);
      CREATE INDEX messages_unsent ON messages (account_id, state) WHERE state IN ('queued', 'sent');
      -- XEP-0359: the archive's stanza-id is unique per archive (our account).
      CREATE UNIQUE INDEX messages_by_stanza_id ON messages (account_id, stanza_id) WHERE stanza_id IS NOT NULL;
      -- XEP-0359: origin-id is chosen by the sender; unique per conversation and direction.
      CREATE UNIQUE INDEX messages_by_origin_id ON messages (account_id, peer, direction, origin_id) WHERE origin_id IS NOT NULL;
      CREATE INDEX messages_by_remote_id ON messages (account_id, peer, direction, remote_id) WHERE remote_id IS NOT NULL;
    `)
  },
}
