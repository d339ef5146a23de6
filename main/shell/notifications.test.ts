import { describe, expect, it } from 'vitest'
import type { AppSettingsDto, ConversationDto, EventEnvelope, MessageDto } from '../../preload/api.ts'
import { DEFAULT_APP_SETTINGS } from '../core/settings/app-settings.ts'
import {
  conversationOpenedEnvelope,
  GENERIC_BODY,
  installNotifications,
  MAX_MESSAGE_AGE_MS,
  notificationContent,
  openConversationAction,
  shouldNotify,
  type NotificationLike,
  type NotificationSettings,
  type WindowState,
} from './notifications.ts'

const NOW = 1_700_000_000_000
const DEVICES = { total: 1, usable: 1, undecided: 0, distrusted: 0, inactive: 0 }
const ENCRYPTED: ConversationDto['encryption'] = { choice: null, next: 'omemo', contact: DEVICES, ownOther: DEVICES }

function message(overrides: Partial<MessageDto> = {}): MessageDto {
  return {
    id: 1,
    accountId: 2,
    peer: 'bob@example.org',
    direction: 'in',
    body: 'the secret plan',
    timestamp: NOW,
    state: 'received',
    fromOtherDevice: false,
    encryption: 'omemo',
    sender: null,
    undecryptable: null,
    encryptionReport: null,
    failure: null,
    kind: 'chat',
    invitation: null,
    ...overrides,
  }
}

function conversation(overrides: Partial<ConversationDto> = {}): ConversationDto {
  return { accountId: 2, peer: 'bob@example.org', lastMessage: null, unread: 0, omemo: true, encryption: ENCRYPTED, draft: '', ...overrides }
}

const inFront: WindowState = { exists: true, visible: true, minimized: false, focused: true }

describe('shouldNotify', () => {
  it('stays quiet while the user looks at the window', () => {
    expect(shouldNotify(message(), inFront, NOW)).toBe(false)
  })

  it('notifies when the window is unfocused, hidden, minimised or closed', () => {
    expect(shouldNotify(message(), { ...inFront, focused: false }, NOW)).toBe(true)
    expect(shouldNotify(message(), { ...inFront, visible: false }, NOW)).toBe(true)
    expect(shouldNotify(message(), { ...inFront, minimized: true }, NOW)).toBe(true)
    expect(shouldNotify(message(), { exists: false, visible: false, minimized: false, focused: false }, NOW)).toBe(true)
  })

  it('never for outgoing, undecryptable or old (archive catch-up) messages', () => {
    const away = { ...inFront, focused: false }
    expect(shouldNotify(message({ direction: 'out' }), away, NOW)).toBe(false)
    expect(shouldNotify(message({ direction: 'out', fromOtherDevice: true }), away, NOW)).toBe(false)
    expect(shouldNotify(message({ body: '', undecryptable: { code: 'no-session', detail: null } }), away, NOW)).toBe(false)
    expect(shouldNotify(message({ timestamp: NOW - MAX_MESSAGE_AGE_MS - 1 }), away, NOW)).toBe(false)
    expect(shouldNotify(message({ timestamp: NOW - MAX_MESSAGE_AGE_MS }), away, NOW)).toBe(true)
  })
})

describe('notificationContent', () => {
  it('shows no message text by default', () => {
    expect(notificationContent(message(), { showMessageText: DEFAULT_APP_SETTINGS.showMessageText, platform: 'darwin' })).toEqual({
      title: 'bob@example.org',
      body: GENERIC_BODY,
      hasText: false,
    })
  })

  it('shows the text on one line, shortened, when asked to', () => {
    expect(notificationContent(message({ body: ' hello\n\n  there ' }), { showMessageText: true, platform: 'win32' }).body).toBe('hello there')
    const long = notificationContent(message({ body: 'x'.repeat(500) }), { showMessageText: true, platform: 'darwin' }).body
    expect(long).toHaveLength(200)
    expect(long.endsWith('…')).toBe(true)
  })

  it('escapes markup on Linux only', () => {
    const body = '<img src="file:///x"> & <a href="https://evil">'
    expect(notificationContent(message({ body }), { showMessageText: true, platform: 'linux' }).body).toBe(
      '&lt;img src="file:///x"&gt; &amp; &lt;a href="https://evil"&gt;',
    )
    expect(notificationContent(message({ body }), { showMessageText: true, platform: 'darwin' }).body).toBe(body)
  })

  it('falls back to the generic text for an empty body', () => {
    expect(notificationContent(message({ body: '  ' }), { showMessageText: true, platform: 'linux' }).body).toBe(GENERIC_BODY)
  })
})

describe('the click action', () => {
  it('opens the conversation on the account that received the message, through app:uriOpened', () => {
    const action = openConversationAction(message())
    expect(action).toEqual({ kind: 'chat', jid: 'bob@example.org', accountId: 2 })
    expect(conversationOpenedEnvelope(action)).toEqual({ event: 'app:uriOpened', payload: action })
  })
})

class FakeNotification implements NotificationLike {
  shown = false
  closed = false
  readonly listeners = new Map<string, Array<() => void>>()
  readonly content: { title: string; body: string }
  constructor(content: { title: string; body: string }) {
    this.content = content
  }
  show(): void {
    this.shown = true
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    this.emit('close')
  }
  on(event: 'click' | 'close', listener: () => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }
  emit(event: string): void {
    for (const listener of this.listeners.get(event) ?? []) listener()
  }
}

function setup(settings: NotificationSettings | null = DEFAULT_APP_SETTINGS, window: WindowState = { ...inFront, focused: false }) {
  const listeners = new Set<(envelope: EventEnvelope) => void>()
  const core = {
    subscribe(listener: (envelope: EventEnvelope) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  const created: FakeNotification[] = []
  const opened: unknown[] = []
  const state = { window, supported: true, settings }
  const stop = installNotifications(core, {
    isSupported: () => state.supported,
    create: (content) => {
      const notification = new FakeNotification(content)
      created.push(notification)
      return notification
    },
    windowState: () => state.window,
    settings: () => state.settings,
    platform: 'linux',
    onOpen: (action) => opened.push(action),
    now: () => NOW,
  })
  const emit = (envelope: EventEnvelope): void => {
    for (const listener of listeners) listener(envelope)
  }
  return { emit, created, opened, state, stop, listeners }
}

describe('installNotifications', () => {
  it('shows one for an incoming message while away, and a click opens the conversation', () => {
    const { emit, created, opened } = setup()
    emit({ event: 'messages:received', payload: message() })
    expect(created).toHaveLength(1)
    expect(created[0]!.shown).toBe(true)
    expect(created[0]!.content).toEqual({ title: 'bob@example.org', body: GENERIC_BODY })
    created[0]!.emit('click')
    expect(opened).toEqual([{ kind: 'chat', jid: 'bob@example.org', accountId: 2 }])
  })

  it('shows nothing while the window is in front, when disabled or unsupported', () => {
    const front = setup(DEFAULT_APP_SETTINGS, inFront)
    front.emit({ event: 'messages:received', payload: message() })
    expect(front.created).toHaveLength(0)

    const disabled = setup({ showNotifications: false, showMessageText: true })
    disabled.emit({ event: 'messages:received', payload: message() })
    expect(disabled.created).toHaveLength(0)

    const unsupported = setup()
    unsupported.state.supported = false
    unsupported.emit({ event: 'messages:received', payload: message() })
    expect(unsupported.created).toHaveLength(0)
  })

  it('keeps one notification per conversation and closes it once the conversation is read', () => {
    const { emit, created } = setup({ showNotifications: true, showMessageText: true })
    emit({ event: 'messages:received', payload: message({ id: 1, body: 'one' }) })
    emit({ event: 'messages:received', payload: message({ id: 2, body: 'two' }) })
    emit({ event: 'messages:received', payload: message({ id: 3, accountId: 3, body: 'other account' }) })
    expect(created.map((n) => [n.content.body, n.closed])).toEqual([
      ['one', true],
      ['two', false],
      ['other account', false],
    ])
    emit({ event: 'conversations:changed', payload: conversation({ unread: 2 }) })
    expect(created[1]!.closed).toBe(false)
    emit({ event: 'conversations:changed', payload: conversation({ unread: 0 }) })
    expect(created[1]!.closed).toBe(true)
    expect(created[2]!.closed).toBe(false)
  })

  it('closes everything when the app locks or the shell stops', () => {
    const first = setup()
    first.emit({ event: 'messages:received', payload: message() })
    first.emit({ event: 'app:changed', payload: { phase: 'locked', databaseExists: true, keyProtection: 'passphrase' } })
    expect(first.created[0]!.closed).toBe(true)

    const second = setup()
    second.emit({ event: 'messages:received', payload: message() })
    second.stop()
    expect(second.created[0]!.closed).toBe(true)
    expect(second.listeners.size).toBe(0)
  })

  it('follows the settings as they change, without a restart; unknown settings (locked) mean the defaults', () => {
    const { emit, created, state } = setup(null)
    emit({ event: 'messages:received', payload: message({ id: 1, body: 'first' }) })
    state.settings = { showNotifications: true, showMessageText: true }
    emit({ event: 'messages:received', payload: message({ id: 2, peer: 'carol@example.org', body: 'second' }) })
    state.settings = { showNotifications: false, showMessageText: true }
    emit({ event: 'messages:received', payload: message({ id: 3, peer: 'dave@example.org', body: 'third' }) })
    expect(created.map((n) => [n.content.title, n.content.body])).toEqual([
      ['bob@example.org', GENERIC_BODY],
      ['carol@example.org', 'second'],
    ])
  })

  it('closes the notifications showing text when the text setting is turned off, and all when notifications are', () => {
    const settings = (changes: Partial<AppSettingsDto>): EventEnvelope => ({ event: 'app:settingsChanged', payload: { ...DEFAULT_APP_SETTINGS, ...changes } })
    const { emit, created, state } = setup({ showNotifications: true, showMessageText: false })
    emit({ event: 'messages:received', payload: message({ id: 1, body: 'generic' }) })
    state.settings = { showNotifications: true, showMessageText: true }
    emit({ event: 'messages:received', payload: message({ id: 2, peer: 'carol@example.org', body: 'the secret plan' }) })
    emit(settings({ showMessageText: true, keepRunningInTray: false }))
    expect(created.map((n) => n.closed)).toEqual([false, false])

    state.settings = { showNotifications: true, showMessageText: false }
    emit(settings({ showMessageText: false }))
    expect(created.map((n) => [n.content.body, n.closed])).toEqual([
      [GENERIC_BODY, false],
      ['the secret plan', true],
    ])

    state.settings = { showNotifications: false, showMessageText: false }
    emit(settings({ showNotifications: false }))
    expect(created.map((n) => n.closed)).toEqual([true, true])
  })
})
