import type { AccountDto } from '../../../preload/api.ts'
import type { AccountRow } from '../store/repos/accounts-repo.ts'
import type { AccountSession } from './account-session.ts'

/** The account as the UI sees it: never the password. */
export function toAccountDto(row: AccountRow, session: AccountSession | undefined): AccountDto {
  return {
    id: row.id,
    jid: row.jid,
    enabled: row.enabled === 1,
    host: row.host,
    port: row.port,
    state: row.enabled === 1 ? (session?.state ?? 'offline') : 'disabled',
    error: session?.error ?? null,
    untrustedCertificate: session?.untrustedCertificate?.dto ?? null,
    pinnedFingerprint: row.pinned_cert_sha256,
    syncing: session?.syncing ?? false,
    lastSyncedAt: session?.lastSyncedAt ?? null,
  }
}
