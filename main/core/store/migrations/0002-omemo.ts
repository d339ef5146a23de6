import type { Migration } from './index.ts'

/**
 * OMEMO (XEP-0384 v0.3) state, all inside the encrypted database: our device per account (identity
 * key, prekeys, signed prekeys), contacts' devices with their identity keys and trust, Signal sessions;
 * per-message encryption details; per-conversation OMEMO switch; app settings. Also the archive
 * catch-up's start time for accounts whose archive was empty at their first sync.
 */
export const omemo: Migration = {
  version: 2,
  name: '0002-omemo',
  up(db) {
    db.exec(`
      CREATE TABLE omemo_own_devices (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        device_id INTEGER NOT NULL CHECK (device_id BETWEEN 1 AND 2147483647),
        identity_public BLOB NOT NULL,
        identity_private BLOB NOT NULL,
        next_prekey_id INTEGER NOT NULL,
        bundle_dirty INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE omemo_prekeys (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        key_id INTEGER NOT NULL,
        public_key BLOB NOT NULL,
        private_key BLOB NOT NULL,
        PRIMARY KEY (account_id, key_id)
      ) STRICT;

      CREATE TABLE omemo_signed_prekeys (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        key_id INTEGER NOT NULL,
        public_key BLOB NOT NULL,
        private_key BLOB NOT NULL,
        signature BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, key_id)
      ) STRICT;

      CREATE TABLE omemo_devices (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        jid TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        identity_key BLOB,
        trust TEXT NOT NULL DEFAULT 'undecided' CHECK (trust IN ('undecided', 'blind', 'verified', 'distrusted')),
        first_seen_at INTEGER NOT NULL,
        last_message_at INTEGER,
        last_repair_at INTEGER,
        PRIMARY KEY (account_id, jid, device_id)
      ) STRICT;

      CREATE TABLE omemo_sessions (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        jid TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (account_id, jid, device_id)
      ) STRICT;

      CREATE TABLE conversation_settings (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        peer TEXT NOT NULL,
        omemo INTEGER,
        PRIMARY KEY (account_id, peer)
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- XEP-0313: when the archive had nothing to page from yet, the time from which it is covered.
      ALTER TABLE accounts ADD COLUMN mam_since INTEGER;

      ALTER TABLE messages ADD COLUMN encryption TEXT NOT NULL DEFAULT 'none' CHECK (encryption IN ('none', 'omemo'));
      ALTER TABLE messages ADD COLUMN sender_device INTEGER;
      ALTER TABLE messages ADD COLUMN sender_trust TEXT;
      ALTER TABLE messages ADD COLUMN undecryptable_reason TEXT;
      ALTER TABLE messages ADD COLUMN encryption_report TEXT;
      ALTER TABLE messages ADD COLUMN failure TEXT;
    `)
  },
}
