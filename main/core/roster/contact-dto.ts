import type { ContactDto } from '../../../preload/api.ts'
import type { ContactRow } from '../store/repos/contacts-repo.ts'
import type { PresenceState } from '../xmpp/stanzas/presence.ts'

export function toContactDto(row: ContactRow, presence: PresenceState): ContactDto {
  return {
    accountId: row.account_id,
    jid: row.jid,
    name: row.name,
    subscription: row.subscription,
    pendingOut: row.pending_out === 1,
    pendingIn: row.pending_in === 1,
    inRoster: row.in_roster === 1,
    presence: presence.show,
    status: presence.status,
  }
}
