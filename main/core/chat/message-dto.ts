import type { ConversationDto, EncryptionReportDto, InvitationDto, MessageDto } from '../../../preload/api.ts'
import type { Store } from '../store/store.ts'
import type { MessageRow } from '../store/repos/messages-repo.ts'
import { encryptionOutlook } from './encryption-outlook.ts'

export function toMessageDto(row: MessageRow): MessageDto {
  return {
    id: row.id,
    accountId: row.account_id,
    peer: row.peer,
    kind: row.kind,
    direction: row.direction,
    body: row.body,
    timestamp: row.timestamp,
    state: row.state,
    fromOtherDevice: row.from_other_device === 1,
    encryption: row.encryption,
    sender: row.sender_device !== null && row.sender_trust !== null ? { deviceId: row.sender_device, trust: row.sender_trust } : null,
    undecryptable: row.undecryptable === null ? null : { code: row.undecryptable, detail: row.undecryptable_detail },
    encryptionReport: row.encryption_report === null ? null : (JSON.parse(row.encryption_report) as EncryptionReportDto),
    failure: row.failure === null ? null : { code: row.failure, detail: row.failure_detail },
    invitation: row.invitation === null ? null : (JSON.parse(row.invitation) as InvitationDto),
  }
}

/**
 * Is OMEMO on for this conversation? The user's explicit choice, else on as soon as the contact has
 * published OMEMO devices (XEP-0384 §5: encrypt when possible; never silently fall back).
 */
export function conversationUsesOmemo(store: Store, accountId: number, peer: string): boolean {
  return store.settings.conversationOmemo(accountId, peer) ?? store.omemo.hasActiveDevices(accountId, peer)
}

export function conversationDto(store: Store, accountId: number, peer: string, now: number = Date.now()): ConversationDto {
  const summary = store.messages.conversation(accountId, peer)
  const last = summary ? store.messages.get(summary.last_id) : undefined
  return {
    accountId,
    peer,
    lastMessage: last ? toMessageDto(last) : null,
    unread: summary?.unread ?? 0,
    omemo: conversationUsesOmemo(store, accountId, peer),
    encryption: encryptionOutlook(store, accountId, peer, now),
    draft: store.settings.draft(accountId, peer),
  }
}
