import type { Migration } from './index.ts'

/**
 * Nothing lost, nothing shown wrong (1:1):
 * - every OMEMO message handled is remembered by (sender, device, IV), also the ones that store nothing (key
 *   transports, heartbeats), so a later copy from the archive, a carbon or offline storage is recognised as a
 *   duplicate before any decryption (XEP-0384 §4.7, XEP-0359);
 * - why a message could not be read, or could not be sent, is a code the UI words (the detail that went with it
 *   stays for the "details" view); the old English sentences are mapped to codes;
 * - a room invitation (XEP-0249 / XEP-0045 §7.8) is a message of its own kind, never a chat with the room;
 * - drafts are kept per conversation.
 * Entries that said "the counter was repeated" were second copies of messages already read: they go.
 */
export const delivery: Migration = {
  version: 3,
  name: '0003-delivery',
  up(db) {
    db.exec(`
      CREATE TABLE omemo_handled_messages (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        sender_jid TEXT NOT NULL,
        sender_device INTEGER NOT NULL,
        iv BLOB NOT NULL,
        handled_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, sender_jid, sender_device, iv)
      ) STRICT, WITHOUT ROWID;

      ALTER TABLE messages RENAME COLUMN undecryptable_reason TO undecryptable_detail;
      ALTER TABLE messages ADD COLUMN undecryptable TEXT CHECK (undecryptable IN
        ('not-for-this-device', 'before-this-device', 'identity-changed', 'no-session', 'bad-message', 'malformed'));
      ALTER TABLE messages RENAME COLUMN failure TO failure_detail;
      ALTER TABLE messages ADD COLUMN failure TEXT CHECK (failure IN
        ('no-devices', 'no-usable-devices', 'encryption-failed', 'bounced', 'plaintext-not-chosen'));
      ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'invitation'));
      -- JSON: { room, password, reason, mediated } of an invitation.
      ALTER TABLE messages ADD COLUMN invitation TEXT;
      ALTER TABLE conversation_settings ADD COLUMN draft TEXT;

      DELETE FROM messages WHERE undecryptable_detail LIKE '%counter was repeated%';
      UPDATE messages SET undecryptable = CASE
          WHEN undecryptable_detail LIKE 'Not encrypted for this device%' THEN 'not-for-this-device'
          WHEN undecryptable_detail LIKE 'Refused:%' THEN 'identity-changed'
          WHEN undecryptable_detail LIKE '%malformed%' THEN 'malformed'
          WHEN undecryptable_detail LIKE '%No record for device%' OR undecryptable_detail LIKE '%No session%' THEN 'no-session'
          ELSE 'bad-message' END
        WHERE undecryptable_detail IS NOT NULL;
      UPDATE messages SET failure = CASE
          WHEN failure_detail LIKE '%has no OMEMO devices%' THEN 'no-devices'
          WHEN failure_detail LIKE 'Not sent: no device of%' THEN 'no-usable-devices'
          ELSE 'encryption-failed' END
        WHERE failure_detail IS NOT NULL;
      UPDATE messages SET failure_detail = NULL WHERE failure IN ('no-devices', 'no-usable-devices');
    `)
  },
}
