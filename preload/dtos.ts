/**
 * The data the renderer sees (DTOs) and the error shape, part of the contract in api.ts (which
 * re-exports everything here). Plain data only: no store rows, no library objects, no secrets.
 */

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

/**
 * The desktop app's own settings (notifications, tray), kept in the encrypted database. Browser mode
 * stores them too but has no OS notifications or tray to apply them to.
 */
export interface AppSettingsDto {
  /** OS notifications for new messages while the window is not in front. */
  showNotifications: boolean
  /** Put the decrypted message text in the notification (off by default: it would sit in the OS notification centre in plaintext). */
  showMessageText: boolean
  /** Windows/Linux: closing the window leaves the app running in the tray. macOS always keeps its dock behaviour. */
  keepRunningInTray: boolean
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
// xmpp: links (XEP-0147 / RFC 5122)
// ---------------------------------------------------------------------------------------------

/** One device an OMEMO verification link vouches for (fingerprint: 64 lower-case hex digits). */
export interface VerificationClaimDto {
  jid: string
  deviceId: number
  fingerprint: string
}

/**
 * What an `xmpp:` link asks for, after validation. JIDs are bare and lower-cased.
 * - chat: `xmpp:JID` or `xmpp:JID?message` (a body= parameter is ignored: links never write messages);
 *   `accountId` is set only by the shell (a click on a message notification: open it on the account that
 *   received it); links never carry it
 * - join: `xmpp:ROOM?join` (group chat is not supported yet; the UI says so)
 * - roster: `xmpp:JID?roster` or `?subscribe` (the UI offers "Add contact", prefilled; never adds by itself)
 * - verify: `xmpp:JID?omemo-sid-ID=FINGERPRINT` (the UI asks before calling trust:verifyUri with `uri`)
 */
export type UriActionDto =
  | { kind: 'chat'; jid: string; accountId?: number }
  | { kind: 'join'; room: string }
  | { kind: 'roster'; jid: string; name: string | null }
  | { kind: 'verify'; jid: string; uri: string; claims: VerificationClaimDto[] }

/** `app:uriOpened`: a link the operating system handed to the app; `invalid` when it was refused (reason only, never the link text). */
export type UriOpenedDto = UriActionDto | { kind: 'invalid'; reason: string }
