/**
 * OS notifications for incoming messages while the window is not in front.
 *
 * Privacy: OMEMO users expect no plaintext in the OS notification centre (it is logged, synced and shown
 * on lock screens by some systems). So by default a notification says only who wrote ("New message");
 * the message text is shown only with the app setting "Show message text in notifications" on
 * (AppSettingsDto.showMessageText, kept in the encrypted database). Turning that setting (or
 * notifications) off also closes the notifications already showing text.
 *
 * The decisions are pure functions; `installNotifications` wires them to the core's events and to an
 * injected notification factory (Electron's `Notification` in main/index.ts, a fake in tests).
 */
import type { AppSettingsDto, EventEnvelope, MessageDto, UriActionDto } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'
import { DEFAULT_APP_SETTINGS } from '../core/settings/app-settings.ts'

/** What a notification says instead of the message text (the default). */
export const GENERIC_BODY = 'New message'
const MAX_BODY_LENGTH = 200
/**
 * Messages older than this when they arrive are history caught up from the server's archive (MAM),
 * not something happening now: no notification (the badge and tray still count them).
 */
export const MAX_MESSAGE_AGE_MS = 15 * 60_000

/** The settings notifications follow. */
export type NotificationSettings = Pick<AppSettingsDto, 'showNotifications' | 'showMessageText'>

/** The main window as far as notifications care. `exists` is false when it is closed (macOS, or running in the tray). */
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

/** Title: the peer. Body: the text (one line, shortened) only when `showMessageText`, else "New message". */
export function notificationContent(
  message: Pick<MessageDto, 'peer' | 'body'>,
  options: { showMessageText: boolean; platform: NodeJS.Platform },
): { title: string; body: string; hasText: boolean } {
  const text = message.body.replace(/\s+/gu, ' ').trim()
  if (!options.showMessageText || text === '') return { title: message.peer, body: GENERIC_BODY, hasText: false }
  const short = text.length > MAX_BODY_LENGTH ? `${text.slice(0, MAX_BODY_LENGTH - 1)}…` : text
  return { title: message.peer, body: options.platform === 'linux' ? escapeMarkup(short) : short, hasText: true }
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
  /** The current app settings; null while they are unknown (database locked): the defaults apply. */
  settings(): NotificationSettings | null
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
  const shown = new Map<string, { notification: NotificationLike; hasText: boolean }>()
  const now = deps.now ?? Date.now

  const forget = (key: string, notification: NotificationLike): void => {
    if (shown.get(key)?.notification === notification) shown.delete(key)
  }

  const close = (which: (entry: { hasText: boolean }) => boolean): void => {
    for (const [key, entry] of [...shown]) {
      if (!which(entry)) continue
      shown.delete(key)
      entry.notification.close()
    }
  }

  const notify = (message: MessageDto): void => {
    const settings = deps.settings() ?? DEFAULT_APP_SETTINGS
    if (!settings.showNotifications || !shouldNotify(message, deps.windowState(), now()) || !deps.isSupported()) return
    const key = conversationKey(message.accountId, message.peer)
    shown.get(key)?.notification.close()
    const { hasText, ...content } = notificationContent(message, { showMessageText: settings.showMessageText, platform: deps.platform })
    const notification = deps.create(content)
    shown.set(key, { notification, hasText })
    notification.on('close', () => forget(key, notification))
    notification.on('click', () => {
      forget(key, notification)
      deps.onOpen(openConversationAction(message))
    })
    notification.show()
  }

  const unsubscribe = core.subscribe((envelope: EventEnvelope) => {
    if (envelope.event === 'messages:received') notify(envelope.payload)
    else if (envelope.event === 'conversations:changed' && envelope.payload.unread === 0) {
      const key = conversationKey(envelope.payload.accountId, envelope.payload.peer)
      const entry = shown.get(key)
      shown.delete(key)
      entry?.notification.close()
    } else if (envelope.event === 'app:changed' && envelope.payload.phase === 'locked') {
      close(() => true)
    } else if (envelope.event === 'app:settingsChanged') {
      // Notifications turned off: close them all; message text turned off: no plaintext stays on screen.
      if (!envelope.payload.showNotifications) close(() => true)
      else if (!envelope.payload.showMessageText) close((entry) => entry.hasText)
    }
  })
  return () => {
    unsubscribe()
    close(() => true)
  }
}
