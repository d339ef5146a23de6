/** Display helpers shared by components (pure functions, no state). */
import type { ConnectionState, MessageState, PresenceShow, SkipReason, TrustState } from '../../../preload/api.ts'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' })
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' })
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' })

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime()
}

/** Short time for lists: 14:05 today, a weekday this week, else a date. */
export function formatShortTime(timestamp: number, now = new Date()): string {
  const date = new Date(timestamp)
  const today = startOfDay(now)
  if (timestamp >= today) return timeFormat.format(date)
  if (timestamp >= today - 6 * 86_400_000) return weekdayFormat.format(date)
  return dateFormat.format(date)
}

/** Time shown under a message: the time today, else date and time. */
export function formatMessageTime(timestamp: number, now = new Date()): string {
  const date = new Date(timestamp)
  if (timestamp >= startOfDay(now)) return timeFormat.format(date)
  return `${dateFormat.format(date)}, ${timeFormat.format(date)}`
}

export function formatFullTime(timestamp: number): string {
  return fullFormat.format(new Date(timestamp))
}

/** A certificate date as the core sent it, made readable when it parses. */
export function formatCertificateDate(value: string): string {
  const parsed = Date.parse(value)
  return Number.isNaN(parsed) ? value : fullFormat.format(new Date(parsed))
}

export const CONNECTION_LABELS: Record<ConnectionState, string> = {
  online: 'Online',
  connecting: 'Connecting',
  offline: 'Offline',
  error: 'Error',
  disabled: 'Disabled',
}

export const PRESENCE_LABELS: Record<PresenceShow, string> = {
  online: 'Online',
  chat: 'Free to chat',
  away: 'Away',
  xa: 'Away for a while',
  dnd: 'Do not disturb',
  offline: 'Offline',
}

/** Accessible text of the state marker on an outgoing message. */
export const MESSAGE_STATE_LABELS: Record<Exclude<MessageState, 'received'>, string> = {
  queued: 'Waiting to send',
  sent: 'Sent',
  acked: 'Sent to server',
  delivered: 'Delivered',
  failed: 'Not sent',
}

/** A device's trust in words (device panel, message details). */
export const TRUST_LABELS: Record<TrustState, string> = {
  undecided: 'Undecided',
  blind: 'Trusted (unverified)',
  verified: 'Verified',
  distrusted: 'Distrusted',
}

/** Why an outgoing OMEMO message was not encrypted for a device, in plain words. */
export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  'no-bundle': 'no keys published',
  'bad-bundle': 'invalid keys',
  'bundle-timeout': 'its server did not answer in time',
  'bundle-unavailable': 'its keys could not be fetched',
  untrusted: 'you distrusted it',
  undecided: 'waiting for your decision',
  inactive: 'inactive',
  'identity-changed': 'its key changed',
}
