import type { Element } from '@xmpp/xml'
import { NS } from './namespaces.ts'

/** XEP-0203: the original send time of a delayed or archived stanza, in ms, or null. */
export function delayStamp(element: Element | undefined): number | null {
  const stamp = element?.getChild('delay', NS.delay)?.attrs.stamp
  if (!stamp) return null
  const time = Date.parse(stamp)
  return Number.isFinite(time) ? time : null
}
