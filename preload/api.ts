/**
 * THE contract between the renderer and the core (ARCHITECTURE.md "The contract").
 *
 * - Methods are `namespace:method`; each has a valibot input schema. Main validates every payload
 *   against it before the core sees it (Electron IPC and the browser-mode bridge alike).
 * - Results cross as `{ ok: true, result } | { ok: false, error }`, never as a thrown Error.
 * - Events are `namespace:pastTense` and carry plain DTOs.
 * - Nothing secret (passwords, keys) is ever part of a result or an event.
 *
 * This file has no runtime dependency on electron or on main/: the renderer imports its types only.
 */
import * as v from 'valibot'
import type { Result, AccountDto, ContactDto, MessageDto, ConversationDto, DeviceDto, OwnDeviceDto, OmemoSettingsDto, AppSettingsDto, AppStateDto, UriActionDto, UriOpenedDto } from './dtos.ts'

// The DTOs (what the renderer sees) and ApiError/Result live in dtos.ts; this file re-exports them.
export type * from './dtos.ts'

// ---------------------------------------------------------------------------------------------
// Shared input pieces
// ---------------------------------------------------------------------------------------------

const MAX_BODY_LENGTH = 64 * 1024

/** A bare JID `local@domain` (RFC 7622, kept to the shapes a user can type). */
const BareJid = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.maxLength(3071, 'A JID has at most 3071 bytes'),
  v.regex(/^[^@/\s<>'"&]+@[^@/\s<>'"&]+$/u, 'Expected an address like name@example.org'),
)
const AccountId = v.pipe(v.number(), v.integer(), v.minValue(1))
/** XEP-0384 §4.1: a device id is an integer in 1..2^31-1. */
const DeviceId = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31 - 1))
const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))
const Host = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(253), v.regex(/^[A-Za-z0-9.:[\]-]+$/u, 'Not a host name'))
const Sha256Fingerprint = v.pipe(
  v.string(),
  v.regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/u, 'Expected a SHA-256 fingerprint like AB:CD:…'),
)
const Password = v.pipe(v.string(), v.minLength(1, 'Password is empty'), v.maxLength(1024))
/** No parameters: nothing, or an empty plain object (valibot's object schemas would also let an array through). */
const Empty = v.optional(
  v.pipe(
    v.custom<object>((input) => typeof input === 'object' && input !== null && !Array.isArray(input), 'Expected no parameters'),
    v.strictObject({}),
  ),
)

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

export const methods = {
  'app:state': { input: Empty },
  'app:unlock': { input: v.strictObject({ passphrase: v.pipe(v.string(), v.minLength(8, 'Use at least 8 characters'), v.maxLength(1024)) }) },
  /** Re-key the passphrase-protected database for `next` after checking `current`. */
  'app:changePassphrase': {
    input: v.strictObject({
      current: v.pipe(v.string(), v.minLength(1, 'Enter the current passphrase'), v.maxLength(1024)),
      next: v.pipe(v.string(), v.minLength(8, 'Use at least 8 characters'), v.maxLength(1024)),
    }),
  },
  /** Notifications and tray (AppSettingsDto); needs the unlocked database. */
  'app:getSettings': { input: Empty },
  /** Change some of them; the result (and the `app:settingsChanged` event) has all of them as they are now. */
  'app:setSettings': {
    input: v.strictObject({
      showNotifications: v.optional(v.boolean()),
      showMessageText: v.optional(v.boolean()),
      keepRunningInTray: v.optional(v.boolean()),
    }),
  },
  /** Parse an `xmpp:` link (XEP-0147) into what it asks for; a refused link is an invalid-input error with the reason. Does nothing else. */
  'app:openUri': { input: v.strictObject({ uri: v.pipe(v.string(), v.maxLength(4096, 'A link has at most 4096 characters')) }) },

  'accounts:list': { input: Empty },
  /**
   * Log in once with these settings and save the account only if that worked; failures are auth-failed,
   * tls-untrusted (with `error.certificate`), tls-required or network, and nothing is saved. After the user
   * compared an untrusted certificate, call again with its `certificateFingerprint` to pin it.
   */
  'accounts:add': {
    input: v.strictObject({
      jid: BareJid,
      password: Password,
      host: v.optional(Host),
      port: v.optional(Port),
      certificateFingerprint: v.optional(Sha256Fingerprint),
    }),
  },
  /** Like accounts:add: the new password/host/port are saved only after a login with them worked. */
  'accounts:update': {
    input: v.strictObject({
      accountId: AccountId,
      password: v.optional(Password),
      host: v.optional(v.nullable(Host)),
      port: v.optional(v.nullable(Port)),
      certificateFingerprint: v.optional(Sha256Fingerprint),
    }),
  },
  /**
   * The user cancelled while the login of accounts:add / accounts:update for this address is being checked: the
   * check's connection is dropped and that call fails with 'cancelled', saving nothing. No-op when none runs.
   */
  'accounts:cancelLogin': { input: v.strictObject({ jid: BareJid }) },
  /** Connect now (not at the next backoff step), starting the backoff over; also after a login error. */
  'accounts:reconnect': { input: v.strictObject({ accountId: AccountId }) },
  'accounts:setEnabled': { input: v.strictObject({ accountId: AccountId, enabled: v.boolean() }) },
  'accounts:remove': { input: v.strictObject({ accountId: AccountId }) },
  /** Pin the certificate the server presented (shown to the user with this fingerprint) and reconnect. */
  'accounts:trustCertificate': { input: v.strictObject({ accountId: AccountId, fingerprint: Sha256Fingerprint }) },

  'roster:list': { input: v.strictObject({ accountId: AccountId }) },
  /** Add a contact and ask for their presence; without a name, the name a contact already has is kept. */
  'roster:add': {
    input: v.strictObject({ accountId: AccountId, jid: BareJid, name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))) }),
  },
  /** Set (or, empty, remove) a contact's name (RFC 6121 §2.3: a roster set; the subscription stays as it is). */
  'roster:rename': {
    input: v.strictObject({ accountId: AccountId, jid: BareJid, name: v.pipe(v.string(), v.trim(), v.maxLength(200)) }),
  },
  'roster:respond': { input: v.strictObject({ accountId: AccountId, jid: BareJid, accept: v.boolean() }) },
  'roster:remove': { input: v.strictObject({ accountId: AccountId, jid: BareJid }) },

  'conversations:list': { input: v.strictObject({ accountId: AccountId }) },
  'conversations:markRead': { input: v.strictObject({ accountId: AccountId, peer: BareJid }) },
  /** One conversation (also one without messages yet), with its OMEMO state worked out. */
  'conversations:get': { input: v.strictObject({ accountId: AccountId, peer: BareJid }) },

  'messages:list': {
    input: v.strictObject({
      accountId: AccountId,
      peer: BareJid,
      beforeId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
    }),
  },
  'omemo:ownDevice': { input: v.strictObject({ accountId: AccountId }) },
  'omemo:devices': { input: v.strictObject({ accountId: AccountId, jid: BareJid }) },
  'omemo:setConversationEncryption': { input: v.strictObject({ accountId: AccountId, peer: BareJid, enabled: v.boolean() }) },
  'trust:setDevice': {
    input: v.strictObject({
      accountId: AccountId,
      jid: BareJid,
      deviceId: DeviceId,
      trust: v.picklist(['verified', 'blind', 'distrusted'], 'Choose verified, blind or distrusted'),
    }),
  },
  /** Verify the device named by an `xmpp:JID?omemo-sid-ID=FINGERPRINT` URI (scanned or pasted). */
  'trust:verifyUri': { input: v.strictObject({ accountId: AccountId, uri: v.pipe(v.string(), v.trim(), v.maxLength(4096)) }) },
  'settings:getOmemo': { input: Empty },
  'settings:setOmemo': {
    input: v.strictObject({
      trustModel: v.optional(v.picklist(['btbv', 'manual'])),
      preKeyCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(20), v.maxValue(500))),
      signedPreKeyRotationDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(365))),
      repairSessions: v.optional(v.boolean()),
      inactiveDeviceDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3650))),
      fallbackBody: v.optional(v.boolean()),
    }),
  },

  /**
   * Store and send a message. Resolves with it as stored: queued or sent, or failed with the reason (nobody can be
   * encrypted for; unencrypted but not chosen by the user). Never sends plaintext unless the chat's encryption is off.
   */
  'messages:send': {
    input: v.strictObject({
      accountId: AccountId,
      to: BareJid,
      body: v.pipe(v.string(), v.check((s) => s.trim().length > 0, 'Message is empty'), v.maxLength(MAX_BODY_LENGTH)),
    }),
  },
  /** Send a failed message of ours again (encrypted or not as the chat is set now). */
  'messages:retry': { input: v.strictObject({ accountId: AccountId, messageId: v.pipe(v.number(), v.integer(), v.minValue(1)) }) },
  /** Keep the text typed in a conversation (empty: no draft). */
  'conversations:setDraft': {
    input: v.strictObject({ accountId: AccountId, peer: BareJid, draft: v.pipe(v.string(), v.maxLength(MAX_BODY_LENGTH)) }),
  },
} as const

export type MethodName = keyof typeof methods
export type MethodInput<M extends MethodName> = v.InferOutput<(typeof methods)[M]['input']>
/** What callers may pass (before the schema's trimming and lower-casing). */
export type MethodParams<M extends MethodName> = v.InferInput<(typeof methods)[M]['input']>

export interface MethodResults {
  'app:state': AppStateDto
  'app:unlock': AppStateDto
  'app:changePassphrase': AppStateDto
  'app:getSettings': AppSettingsDto
  'app:setSettings': AppSettingsDto
  'app:openUri': UriActionDto
  'accounts:list': AccountDto[]
  'accounts:add': AccountDto
  'accounts:update': AccountDto
  'accounts:setEnabled': AccountDto
  'accounts:remove': null
  'accounts:trustCertificate': AccountDto
  'accounts:reconnect': AccountDto
  'accounts:cancelLogin': null
  'roster:list': ContactDto[]
  'roster:add': ContactDto
  'roster:rename': ContactDto
  'roster:respond': ContactDto | null
  'roster:remove': null
  'conversations:list': ConversationDto[]
  'conversations:markRead': ConversationDto
  'conversations:get': ConversationDto
  'omemo:ownDevice': OwnDeviceDto
  'omemo:devices': DeviceDto[]
  'omemo:setConversationEncryption': ConversationDto
  'trust:setDevice': DeviceDto
  'trust:verifyUri': DeviceDto
  'settings:getOmemo': OmemoSettingsDto
  'settings:setOmemo': OmemoSettingsDto
  'messages:list': MessageDto[]
  'messages:send': MessageDto
  'messages:retry': MessageDto
  'conversations:setDraft': null
}

export const methodNames = Object.keys(methods) as MethodName[]

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export interface EventPayloads {
  'app:changed': AppStateDto
  /** The app settings changed (app:setSettings, from any window or the shell). */
  'app:settingsChanged': AppSettingsDto
  /** The operating system handed the app an `xmpp:` link (clicked elsewhere, or on the command line). */
  'app:uriOpened': UriOpenedDto
  'accounts:changed': AccountDto
  'accounts:removed': { accountId: number }
  'roster:changed': ContactDto
  'roster:removed': { accountId: number; jid: string }
  /** A new message (incoming, or outgoing from this or another client). */
  'messages:received': MessageDto
  /** A known message changed (delivery state). */
  'messages:updated': MessageDto
  'conversations:changed': ConversationDto
  /** A contact's (or our own) OMEMO devices or their trust changed. */
  'omemo:devicesChanged': { accountId: number; jid: string }
  /** Something the user must know about: a known device presented a different identity key, … */
  'security:warning': { accountId: number; jid: string; deviceId: number | null; message: string }
}

export type EventName = keyof EventPayloads
export const eventNames: readonly EventName[] = [
  'app:changed',
  'app:settingsChanged',
  'app:uriOpened',
  'accounts:changed',
  'accounts:removed',
  'roster:changed',
  'roster:removed',
  'messages:received',
  'messages:updated',
  'conversations:changed',
  'omemo:devicesChanged',
  'security:warning',
]

/** The single event channel name used by IPC and the bridge. */
export const EVENT_CHANNEL = 'api:event'

/** One event; without a type argument, a union discriminated by `event` (the payload follows the name). */
export type EventEnvelope<E extends EventName = EventName> = { [K in E]: { event: K; payload: EventPayloads[K] } }[E]

// ---------------------------------------------------------------------------------------------
// The shape the renderer uses (window.api in Electron, the WebSocket bridge in browser mode)
// ---------------------------------------------------------------------------------------------

export interface Api {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<Result<MethodResults[M]>>
  /** Subscribe to all events; returns an unsubscribe function. */
  onEvent(listener: (envelope: EventEnvelope) => void): () => void
}

// ---------------------------------------------------------------------------------------------
// Browser-mode bridge protocol (WebSocket on 127.0.0.1, JSON text frames). Same contract as IPC.
// ---------------------------------------------------------------------------------------------

export const BRIDGE_PATH = '/bridge'

export type BridgeClientMessage = { type: 'call'; id: number; method: string; params: unknown }

export type BridgeServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; envelope: EventEnvelope }
