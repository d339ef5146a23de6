import type { Element } from '@xmpp/xml'
import { bareJid } from '../jid.ts'

const NS_CONFERENCE = 'jabber:x:conference'
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
/** Long enough for any reason a person writes; the rest is cut (the text is shown, never trusted). */
const MAX_TEXT = 1024

export interface Invitation {
  room: string
  /** Who invites: the sender (direct), or the <invite from/> the room names (mediated). */
  inviter: string | null
  reason: string | null
  password: string | null
  mediated: boolean
}

const text = (value: string | null | undefined) => (value && value.trim() !== '' ? value.trim().slice(0, MAX_TEXT) : null)

/**
 * A group chat invitation, or null: XEP-0249 §2 (direct, `<x xmlns='jabber:x:conference' jid='room'/>` from the
 * inviter) or XEP-0045 §7.8.2 (mediated, `<x xmlns='…muc#user'><invite from='inviter'/></x>` from the room).
 */
export function parseInvitation(message: Element): Invitation | null {
  const sender = bareJid(message.attrs.from)
  // A room relaying an invitation may add the XEP-0249 form too (Prosody does): the mediated one names the inviter.
  const invite = message.getChild('x', NS_MUC_USER)?.getChild('invite')
  // XEP-0045 §7.8.2: the room itself relays it, from its bare JID. From a full JID (a user's client, an occupant)
  // it is not a relayed invitation: believing it would let anyone file an "invitation" under any address they name.
  if (invite && sender && !(message.attrs.from ?? '').includes('/')) {
    // The room relays it; the inviter is whom the room names: a real JID in non-anonymous rooms, the inviter's
    // occupant JID (room/nick: no real JID known) in semi-anonymous ones.
    const named = bareJid(invite.attrs.from)
    const inviter = named === sender ? null : named
    return {
      room: sender,
      inviter,
      reason: text(invite.getChildText('reason')),
      password: text(message.getChild('x', NS_MUC_USER)?.getChildText('password')),
      mediated: true,
    }
  }
  const direct = message.getChild('x', NS_CONFERENCE)
  if (direct) {
    const room = bareJid(direct.attrs.jid)
    if (!room || !room.includes('@')) return null
    return { room, inviter: sender, reason: text(direct.attrs.reason), password: text(direct.attrs.password), mediated: false }
  }
  return null
}

/** XEP-0045 §7.8.2: an invitation we asked a room to relay (`<invite to/>`, sent to the room): nothing to show in a 1:1 chat. */
export function isMediatedInvitationRequest(message: Element): boolean {
  return message.getChild('x', NS_MUC_USER)?.getChild('invite')?.attrs.to !== undefined
}
