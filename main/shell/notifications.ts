/**
 * OS notifications for incoming messages while the window is not in front.
 *
 * Privacy: OMEMO users expect no plaintext in the OS notification centre (it is logged, synced and shown
 * on lock screens by some systems). So by default a notification says only who wrote ("New message");
 * the message text is shown only when `showText` is on in `notifications.json` in the user data
 * directory (`{ "showText": true }`; `{ "enabled": false }` turns notifications off).
 *
 * The decisions are pure functions; `installNotifications` wires them to the core's events and to an
 * injected notification factory (Electron's `Notification` in main/index.ts, a fake in tests).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { EventEnvelope, MessageDto, UriActionDto } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'

export const NOTIFICATION_SETTINGS_FILE = 'notifications.json'
/** What a notification says instead of the message text (the default). */
export const GENERIC_BODY = 'New message'
const MAX_BODY_LENGTH = 200
/**
 * Messages older than this when they arrive are history caught up from the server's archive (MAM),
 * not something happening now: no notification (the badge and tray still count them).
 */
export const MAX_MESSAGE_AGE_MS = 15 * 60_000

export interface NotificationOptions {
  enabled: boolean
  /** Put the decrypted message text in the notification. Off by default (see the file comment). */
  showText: boolean
}

export const DEFAULT_NOTIFICATION_OPTIONS: NotificationOptions = { enabled: true, showText: false }

/** The main window as far as notifications care. `exists` is false when it is closed (macOS). */
export interface WindowState {
  exists: boolean
  visible: boolean
  minimized: boolean
  focused: boolean
}

/**
 * Notify for a new incoming message that could be read, unless the user is looking at the app (the
 * window exists, is visible, not minimised and focused), and not for old archive catch-up.
 */
export function shouldNotify(
  message: Pick<MessageDto, 'direction' | 'undecryptable' | 'timestamp'>,
  window: WindowState,
  now: number = Date.now(),
): boolean {
  if (message.direction !== 'in' || message.undecryptable !== null) return false
  if (now - message.timestamp > MAX_MESSAGE_AGE_MS) return false
  const userIsLooking = window.exists && window.visible && !window.minimized && window.focused
  return !userIsLooking
}

/** Linux notification servers may read the body as markup: keep a message from adding links or images. */
function escapeMarkup(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;')
}

/** Title: the peer. Body: the text (one line, shortened) only when `showText`, else "New message". */
export function notificationContent(
  message: Pick<MessageDto, 'peer' | 'body'>,
  options: { showText: boolean; platform: NodeJS.Platform },
): { title: string; body: string } {
  const text = message.body.replace(/\s+/gu, ' ').trim()
  if (!options.showText || text === '') return { title: message.peer, body: GENERIC_BODY }
  const short = text.length > MAX_BODY_LENGTH ? `${text.slice(0, MAX_BODY_LENGTH - 1)}…` : text
  return { title: message.peer, body: options.platform === 'linux' ? escapeMarkup(short) : short }
}

/** The settings file's content (anything: a hand-edited file may be wrong) → options; unknown keys ignored. */
export function parseNotificationOptions(raw: unknown): NotificationOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ...DEFAULT_NOTIFICATION_OPTIONS }
  const record = raw as Record<string, unknown>
  return {
    enabled: typeof record.enabled === 'boolean' ? record.enabled : DEFAULT_NOTIFICATION_OPTIONS.enabled,
    showText: typeof record.showText === 'boolean' ? record.showText : DEFAULT_NOTIFICATION_OPTIONS.showText,
  }
}

/** Reads `notifications.json` from the user data directory; missing or broken → the defaults. */
export function readNotificationOptions(userDataDir: string): NotificationOptions {
  let text: string
  try {
    text = readFileSync(join(userDataDir, NOTIFICATION_SETTINGS_FILE), 'utf8')
  } catch {
    return { ...DEFAULT_NOTIFICATION_OPTIONS }
  }
  try {
    return parseNotificationOptions(JSON.parse(text))
  } catch {
    console.warn(`[shell] ${NOTIFICATION_SETTINGS_FILE} is not valid JSON; using the defaults`)
    return { ...DEFAULT_NOTIFICATION_OPTIONS }
  }
}

/** What a click does: open that conversation on the account that received the message. */
export function openConversationAction(message: Pick<MessageDto, 'accountId' | 'peer'>): Extract<UriActionDto, { kind: 'chat' }> {
  return { kind: 'chat', jid: message.peer, accountId: message.accountId }
}

/** The event the renderer handles for it (the same path as an `xmpp:` link from the OS). */
export function conversationOpenedEnvelope(action: Extract<UriActionDto, { kind: 'chat' }>): EventEnvelope<'app:uriOpened'> {
  return { event: 'app:uriOpened', payload: action }
}

/** The part of Electron's Notification used here. */
export interface NotificationLike {
  show(): void
  close(): void
  on(event: 'click' | 'close', listener: () => void): unknown
}

export interface NotifierDeps {
  /** Electron's `Notification.isSupported()`. */
  isSupported(): boolean
  create(content: { title: string; body: string }): NotificationLike
  windowState(): WindowState
  options: NotificationOptions
  platform: NodeJS.Platform
  /** A notification was clicked: bring the window up and open the conversation. */
  onOpen(action: Extract<UriActionDto, { kind: 'chat' }>): void
  now?: () => number
}

function conversationKey(accountId: number, peer: string): string {
  return `${accountId} ${peer}`
}

/**
 * Shows a notification per new incoming message (see `shouldNotify`). One per conversation at a time:
 * a newer message replaces the older notification, and reading the conversation (unread 0) closes it.
 * Returns a function that stops and closes what is still shown.
 */
export function installNotifications(core: Pick<Core, 'subscribe'>, deps: NotifierDeps): () => void {
  // Also keeps the objects alive: a garbage-collected Electron notification loses its click handler.
  const shown = new Map<string, NotificationLike>()
  const now = deps.now ?? Date.now

  const forget = (key: string, notification: NotificationLike): void => {
    if (shown.get(key) === notification) shown.delete(key)
  }

  const notify = (message: MessageDto): void => {
    if (!deps.options.enabled || !shouldNotify(message, deps.windowState(), now()) || !deps.isSupported()) return
    const key = conversationKey(message.accountId, message.peer)
    shown.get(key)?.close()
    const notification = deps.create(notificationContent(message, { showText: deps.options.showText, platform: deps.platform }))
    shown.set(key, notification)
    notification.on('close', () => forget(key, notification))
    notification.on('click', () => {
      forget(key, notification)
      deps.onOpen(openConversationAction(message))
    })
    notification.show()
  }

  const unsubscribe = core.subscribe((envelope) => {
    if (envelope.event === 'messages:received') notify(envelope.payload)
    else if (envelope.event === 'conversations:changed' && envelope.payload.unread === 0) {
      const key = conversationKey(envelope.payload.accountId, envelope.payload.peer)
      const notification = shown.get(key)
      shown.delete(key)
      notification?.close()
    } else if (envelope.event === 'app:changed' && envelope.payload.phase === 'locked') {
      for (const notification of [...shown.values()]) notification.close()
      shown.clear()
    }
  })
  return () => {
    unsubscribe()
    for (const notification of [...shown.values()]) notification.close()
    shown.clear()
  }
}
