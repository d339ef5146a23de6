import type { Element } from '@xmpp/xml'
import type { PresenceShow } from '../../../../preload/api.ts'

export interface PresenceState {
  show: PresenceShow
  status: string | null
  priority: number
}

const SHOWS = new Set(['chat', 'away', 'xa', 'dnd'])

/** RFC 6121 §4.7: available presence (no type) with optional <show/>, <status/>, <priority/>. */
export function parseAvailablePresence(presence: Element): PresenceState {
  const show = presence.getChildText('show')
  const priority = Number.parseInt(presence.getChildText('priority') ?? '0', 10)
  return {
    show: show && SHOWS.has(show) ? (show as PresenceShow) : 'online',
    status: presence.getChildText('status'),
    priority: Number.isFinite(priority) ? priority : 0,
  }
}

const RANK: Record<PresenceShow, number> = { chat: 5, online: 4, away: 3, dnd: 2, xa: 1, offline: 0 }

/** The presence to show for a contact with several online resources: highest priority, then most available. */
export function bestPresence(resources: Iterable<PresenceState>): PresenceState {
  let best: PresenceState = { show: 'offline', status: null, priority: -129 }
  for (const state of resources) {
    if (state.priority > best.priority || (state.priority === best.priority && RANK[state.show] > RANK[best.show])) best = state
  }
  return best
}
