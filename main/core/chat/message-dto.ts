import type { ConversationDto, MessageDto } from '../../../preload/api.ts'
import type { MessagesRepo, MessageRow } from '../store/repos/messages-repo.ts'

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
  }
}

export function conversationDto(messages: MessagesRepo, accountId: number, peer: string): ConversationDto {
  const summary = messages.conversation(accountId, peer)
  const last = summary ? messages.get(summary.last_id) : undefined
  return { accountId, peer, lastMessage: last ? toMessageDto(last) : null, unread: summary?.unread ?? 0 }
}
