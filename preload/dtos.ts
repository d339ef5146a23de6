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
  /** The server (or whatever answered the connection) sent data that is not valid XMPP: the stream was closed. */
  | 'protocol-violation'
  /** The user cancelled (accounts:cancelLogin): nothing was done. */
  | 'cancelled'
  | 'not-connected'
  | 'no-trusted-devices'
  | 'internal'

export interface ApiError {
  code: ErrorCode
  message: string
  /** tls-untrusted from accounts:add / accounts:update: the certificate the server presented, to compare and pin. */
  certificate?: CertificateDto
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

/**
 * Why an incoming OMEMO message cannot be shown (the UI words it):
 * - not-for-this-device: the sender encrypted it for other devices only (XEP-0384 §4.7)
 * - before-this-device: the same, for a message sent before this device existed (history of a new device)
 * - identity-changed: the sender's device presented another identity key; refused
 * - no-session: no session with the sender's device (it is being repaired)
 * - bad-message: the message does not decrypt or authenticate
 * - malformed: the <encrypted/> element is unusable
 */
export type UndecryptableCode = 'not-for-this-device' | 'before-this-device' | 'identity-changed' | 'no-session' | 'bad-message' | 'malformed'

/**
 * Why an outgoing message is 'failed' (never sent, or bounced):
 * - no-devices: encryption is on and the contact has no OMEMO devices
 * - no-usable-devices: none of the contact's devices can be encrypted for (see the encryption report)
 * - encryption-failed: encrypting failed unexpectedly (`detail` says how)
 * - bounced: the server returned it (`detail` is the XMPP error condition, e.g. service-unavailable)
 * - plaintext-not-chosen: it would have gone unencrypted, which only the user can choose for the chat
 */
export type FailureCode = 'no-devices' | 'no-usable-devices' | 'encryption-failed' | 'bounced' | 'plaintext-not-chosen'

/** A group chat invitation (XEP-0249 direct, or XEP-0045 §7.8.2 mediated through the room). */
export interface InvitationDto {
  room: string
  /** The inviter's reason text, as they wrote it (untrusted). */
  reason: string | null
  password: string | null
  /** Sent through the room (mediated) rather than by the inviter's client. */
  mediated: boolean
}

export interface MessageDto {
  id: number
  accountId: number
  peer: string
  /** 'chat': a message; 'invitation': an invitation to a group chat (`invitation` says which). */
  kind: 'chat' | 'invitation'
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
  /** An OMEMO message this client could not read; `body` is then empty. `detail`: the technical reason. */
  undecryptable: { code: UndecryptableCode; detail: string | null } | null
  /** Outgoing OMEMO: which devices it was encrypted for and which were skipped, and why. */
  encryptionReport: EncryptionReportDto | null
  /** Why a message is in state 'failed'. */
  failure: { code: FailureCode; detail: string | null } | null
  invitation: InvitationDto | null
}

/** A contact's devices (or our own other devices) by what the next message does with them. */
export interface DeviceCountsDto {
  /** Active devices (in the owner's published list). */
  total: number
  /** Will be encrypted for (trusted or blindly trusted). */
  usable: number
  /** Wait for the user's trust decision: skipped until then. */
  undecided: number
  /** Distrusted by the user: never encrypted for. */
  distrusted: number
  /** Silent longer than the inactive-device setting allows: skipped. */
  inactive: number
}

/**
 * What the next message of a conversation will be:
 * - omemo: encrypted (for `contact.usable` devices; the others are skipped)
 * - plain: unencrypted, because the user turned encryption off for this chat
 * - ask-plain: the contact has no OMEMO devices and the user has not chosen: ask before sending unencrypted
 * - blocked: encryption is on but none of the contact's devices can be encrypted for: nothing is sent until
 *   the user trusts a device (or turns encryption off)
 */
export type NextMessageMode = 'omemo' | 'plain' | 'ask-plain' | 'blocked'

export interface ConversationEncryptionDto {
  /** The user's explicit choice for this chat, or null (then on as soon as the contact has OMEMO devices). */
  choice: boolean | null
  next: NextMessageMode
  contact: DeviceCountsDto
  /** Our own account's other devices (they get a copy of every encrypted message). */
  ownOther: DeviceCountsDto
}

export interface ConversationDto {
  accountId: number
  peer: string
  lastMessage: MessageDto | null
  unread: number
  /** OMEMO on for this conversation (on by default once the contact has OMEMO devices). */
  omemo: boolean
  encryption: ConversationEncryptionDto
  /** Text typed and not sent yet (kept per conversation). */
  draft: string
}

// ---------------------------------------------------------------------------------------------
// OMEMO (XEP-0384 v0.3) devices and trust
// ---------------------------------------------------------------------------------------------

/** undecided: no decision yet; blind: trusted without verification (BTBV); verified: fingerprint compared; distrusted: never encrypt for it. */
export type TrustState = 'undecided' | 'blind' | 'verified' | 'distrusted'

/**
 * Why a device was not encrypted for: no-bundle (it published no keys), bad-bundle (its keys are invalid),
 * bundle-timeout (its server did not answer in time), bundle-unavailable (its keys could not be fetched: refused,
 * not connected, …), untrusted (distrusted), undecided (waits for a trust decision), inactive, identity-changed.
 */
export type SkipReason =
  | 'no-bundle'
  | 'bad-bundle'
  | 'bundle-timeout'
  | 'bundle-unavailable'
  | 'untrusted'
  | 'undecided'
  | 'inactive'
  | 'identity-changed'

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
