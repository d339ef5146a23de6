import type { ConversationDto, EncryptionReportDto, MessageDto } from '../../../preload/api.ts'
import type { Store } from '../store/store.ts'
import type { MessageRow } from '../store/repos/messages-repo.ts'

export function toMessageDto(row: MessageRow): MessageDto {
  return {
    id: row.id,
    accountId: row.account_id,
    peer: row.peer,
    direction: row.direction,
    body: row.body,
    timestamp: row.timestamp,
    state: row.state,
    fromOtherDevice: row.from_other_device === 1,
    encryption: row.encryption,
    sender: row.sender_device !== null && row.sender_trust !== null ? { deviceId: row.sender_device, trust: row.sender_trust } : null,
    undecryptable: row.undecryptable_reason === null ? null : { reason: row.undecryptable_reason },
    encryptionReport: row.encryption_report === null ? null : (JSON.parse(row.encryption_report) as EncryptionReportDto),
    failure: row.failure,
  }
}

/**
 * Is OMEMO on for this conversation? The user's explicit choice, else on as soon as the contact has
 * published OMEMO devices (XEP-0384 §5: encrypt when possible; never silently fall back).
 */
export function conversationUsesOmemo(store: Store, accountId: number, peer: string): boolean {
  return store.settings.conversationOmemo(accountId, peer) ?? store.omemo.hasActiveDevices(accountId, peer)
}

export function conversationDto(store: Store, accountId: number, peer: string): ConversationDto {
  const summary = store.messages.conversation(accountId, peer)
  const last = summary ? store.messages.get(summary.last_id) : undefined
  return {
    accountId,
    peer,
    lastMessage: last ? toMessageDto(last) : null,
    unread: summary?.unread ?? 0,
    omemo: conversationUsesOmemo(store, accountId, peer),
  }
}
