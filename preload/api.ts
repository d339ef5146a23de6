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
// DTOs (what the renderer sees)
// ---------------------------------------------------------------------------------------------

export type ConnectionState = 'disabled' | 'connecting' | 'online' | 'offline' | 'error'

export type ErrorCode =
  | 'invalid-input'
  | 'unknown-method'
  | 'not-found'
  | 'conflict'
  | 'locked'
  | 'wrong-passphrase'
  | 'auth-failed'
  | 'tls-untrusted'
  | 'tls-required'
  | 'network'
  | 'not-connected'
  | 'no-trusted-devices'
  | 'internal'

export interface ApiError {
  code: ErrorCode
  message: string
}

export type Result<T> = { ok: true; result: T } | { ok: false; error: ApiError }

export interface CertificateDto {
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by colons. */
  fingerprint: string
  subject: string
  issuer: string
  validFrom: string
  validTo: string
}

export interface AccountDto {
  id: number
  jid: string
  enabled: boolean
  host: string | null
  port: number | null
  state: ConnectionState
  /** Why the last connection attempt failed (cleared when online). */
  error: ApiError | null
  /** A certificate the server presented that is not trusted; the user may pin it. */
  untrustedCertificate: CertificateDto | null
  /** The fingerprint of the certificate pinned for this account, if any. */
  pinnedFingerprint: string | null
  /** True while messages that arrived while we were away are fetched from the server's archive. */
  syncing: boolean
  /** When the last archive catch-up finished (ms), null before the first one. */
  lastSyncedAt: number | null
}

export type PresenceShow = 'online' | 'chat' | 'away' | 'xa' | 'dnd' | 'offline'
export type Subscription = 'none' | 'to' | 'from' | 'both'

export interface ContactDto {
  accountId: number
  jid: string
  name: string | null
  subscription: Subscription
  /** We asked to see their presence and they have not answered. */
  pendingOut: boolean
  /** They asked to see our presence and we have not answered. */
  pendingIn: boolean
  /** True when the contact is in our roster (pendingIn requests may come from strangers). */
  inRoster: boolean
  presence: PresenceShow
  status: string | null
}

export type MessageDirection = 'in' | 'out'
/** queued: stored, not yet on the wire; sent: written to the stream; acked: the server confirmed
 *  (XEP-0198); delivered: the recipient's client confirmed (XEP-0184); received: an incoming message;
 *  failed: not sent and never will be (see `failure`), e.g. OMEMO found no device to encrypt for. */
export type MessageState = 'queued' | 'sent' | 'acked' | 'delivered' | 'received' | 'failed'

export interface MessageDto {
  id: number
  accountId: number
  peer: string
  direction: MessageDirection
  body: string
  timestamp: number
  state: MessageState
  /** Sent from another client of this account (seen via carbons or the archive). */
  fromOtherDevice: boolean
  /** 'omemo': end-to-end encrypted (XEP-0384); 'none': plain text on the wire. */
  encryption: 'none' | 'omemo'
  /** Incoming OMEMO: the sender's device and its trust when the message arrived. */
  sender: { deviceId: number; trust: TrustState } | null
  /** An OMEMO message this client could not read; `body` is then empty. */
  undecryptable: { reason: string } | null
  /** Outgoing OMEMO: which devices it was encrypted for and which were skipped, and why. */
  encryptionReport: EncryptionReportDto | null
  /** Why a message is in state 'failed'. */
  failure: string | null
}

export interface ConversationDto {
  accountId: number
  peer: string
  lastMessage: MessageDto | null
  unread: number
  /** OMEMO on for this conversation (on by default once the contact has OMEMO devices). */
  omemo: boolean
}

// ---------------------------------------------------------------------------------------------
// OMEMO (XEP-0384 v0.3) devices and trust
// ---------------------------------------------------------------------------------------------

/** undecided: no decision yet; blind: trusted without verification (BTBV); verified: fingerprint compared; distrusted: never encrypt for it. */
export type TrustState = 'undecided' | 'blind' | 'verified' | 'distrusted'

export type SkipReason = 'no-bundle' | 'bad-bundle' | 'untrusted' | 'undecided' | 'inactive' | 'identity-changed'

export interface DeviceRefDto {
  jid: string
  deviceId: number
}

export interface EncryptionReportDto {
  encryptedFor: DeviceRefDto[]
  skipped: Array<DeviceRefDto & { reason: SkipReason }>
}

export interface DeviceDto {
  accountId: number
  jid: string
  deviceId: number
  /** Hex of the identity key, in groups of 8, or null while the bundle has not been fetched. */
  fingerprint: string | null
  trust: TrustState
  /** Still in the owner's published device list. */
  active: boolean
  /** One of our own account's devices (this one included). */
  own: boolean
  /** This client's own device. */
  thisDevice: boolean
  /** When we last received a message from this device (ms), if ever. */
  lastMessageAt: number | null
}

export interface OwnDeviceDto {
  accountId: number
  deviceId: number
  fingerprint: string
  /** xmpp:JID?omemo-sid-ID=FINGERPRINT — shown as text and as a QR code for others to verify. */
  verificationUri: string
}

export type TrustModel = 'btbv' | 'manual'

export interface OmemoSettingsDto {
  /** Blind Trust Before Verification, or every new device needs a decision. */
  trustModel: TrustModel
  /** Prekeys kept published (XEP-0384 §4.3: at least 20; 100 by default). */
  preKeyCount: number
  /** Rotate the signed prekey after this many days. */
  signedPreKeyRotationDays: number
  /** Heal broken sessions with a key transport message (at most once per device per hour). */
  repairSessions: boolean
  /** Stop encrypting for devices silent for this many days (0: never). */
  inactiveDeviceDays: number
  /** Put the "this message is encrypted" hint in the fallback <body>. */
  fallbackBody: boolean
}

export interface AppStateDto {
  /** locked: the database is not open yet (a passphrase is needed). */
  phase: 'locked' | 'ready'
  /** false until a database exists: the first passphrase creates it. */
  databaseExists: boolean
  /** How the database key is protected here: passphrase (browser mode, Linux without a keyring) or keychain. */
  keyProtection: 'passphrase' | 'keychain'
}

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

  'accounts:list': { input: Empty },
  'accounts:add': {
    input: v.strictObject({
      jid: BareJid,
      password: Password,
      host: v.optional(Host),
      port: v.optional(Port),
    }),
  },
  'accounts:update': {
    input: v.strictObject({
      accountId: AccountId,
      password: v.optional(Password),
      host: v.optional(v.nullable(Host)),
      port: v.optional(v.nullable(Port)),
    }),
  },
  'accounts:setEnabled': { input: v.strictObject({ accountId: AccountId, enabled: v.boolean() }) },
  'accounts:remove': { input: v.strictObject({ accountId: AccountId }) },
  /** Pin the certificate the server presented (shown to the user with this fingerprint) and reconnect. */
  'accounts:trustCertificate': { input: v.strictObject({ accountId: AccountId, fingerprint: Sha256Fingerprint }) },

  'roster:list': { input: v.strictObject({ accountId: AccountId }) },
  'roster:add': {
    input: v.strictObject({ accountId: AccountId, jid: BareJid, name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))) }),
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

  'messages:send': {
    input: v.strictObject({
      accountId: AccountId,
      to: BareJid,
      body: v.pipe(v.string(), v.check((s) => s.trim().length > 0, 'Message is empty'), v.maxLength(MAX_BODY_LENGTH)),
    }),
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
  'accounts:list': AccountDto[]
  'accounts:add': AccountDto
  'accounts:update': AccountDto
  'accounts:setEnabled': AccountDto
  'accounts:remove': null
  'accounts:trustCertificate': AccountDto
  'roster:list': ContactDto[]
  'roster:add': ContactDto
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
}

export const methodNames = Object.keys(methods) as MethodName[]

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export interface EventPayloads {
  'app:changed': AppStateDto
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
