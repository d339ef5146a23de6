/**
 * libsignal-protocol-typescript 0.0.16's session record as it is stored: `SessionRecord.serialize()` JSON,
 * version 'v1', every key as standard base64. This module reads that JSON directly (no conversion of every key
 * to an ArrayBuffer and back, which is most of libsignal's per-message cost) and decides whether a record is in
 * the ordinary state the fast symmetric step handles; anything else stays with libsignal.
 *
 * Serialising the parsed object again with JSON.stringify gives exactly libsignal's own output, because libsignal
 * writes its fields in a fixed order that JSON.parse keeps, and the fast step only changes values in place,
 * deletes keys, or adds integer keys (which objects order numerically in both cases).
 */

export const RECORD_VERSION = 'v1'
/** libsignal's limits (session-record.js): above them updateSessionState would prune, so we do not handle it. */
export const MAX_OLD_RATCHETS = 10
export const MAX_ARCHIVED_SESSIONS = 40
/** session-types.js ChainType */
export const SENDING_CHAIN = 1
export const RECEIVING_CHAIN = 2
/** session-cipher.js: a chain is never advanced more than this many steps at once. */
export const MAX_CHAIN_STEPS = 2000

export interface StoredChain {
  chainType: number
  chainKey: { key?: string; counter: number }
  messageKeys: Record<string, string>
}

export interface StoredSession {
  indexInfo: { closed: number; remoteIdentityKey: string; baseKey?: string; baseKeyType: number }
  registrationId?: number
  currentRatchet: {
    rootKey: string
    ephemeralKeyPair?: { pubKey: string; privKey: string }
    lastRemoteEphemeralKey: string
    previousCounter: number
    added: number
  }
  pendingPreKey?: { baseKey: string; preKeyId?: number; signedKeyId: number }
  oldRatchetList: { ephemeralKey: string; added: number }[]
  chains: Record<string, StoredChain>
}

export interface StoredRecord {
  sessions: Record<string, StoredSession>
  version: string
}

export const fromBase64 = (text: string): Buffer => Buffer.from(text, 'base64')

/** The open session of a record in the ordinary shape, with the remote identity key; undefined otherwise. */
export interface OpenSession {
  record: StoredRecord
  session: StoredSession
  remoteIdentityKey: Buffer
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Parses a stored record and finds its one open session, if the record is plain enough that libsignal's
 * bookkeeping around a symmetric step would do nothing but store the updated chain: current version, exactly
 * one open session stored under its own base key, at most libsignal's numbers of sessions and old ratchets,
 * 33-byte identity key. Any other record (or one that does not parse) gives undefined.
 */
export function openSessionOf(serialized: string): OpenSession | undefined {
  let record: unknown
  try {
    record = JSON.parse(serialized)
  } catch {
    return undefined
  }
  if (!isObject(record) || record.version !== RECORD_VERSION || !isObject(record.sessions)) return undefined
  const sessions = record.sessions as Record<string, StoredSession>
  const keys = Object.keys(sessions)
  if (keys.length > MAX_ARCHIVED_SESSIONS) return undefined
  let open: { key: string; session: StoredSession } | undefined
  for (const key of keys) {
    const session = sessions[key]
    if (!isObject(session) || !isObject(session.indexInfo) || typeof session.indexInfo.closed !== 'number') return undefined
    if (session.indexInfo.closed !== -1) continue
    if (open) return undefined // libsignal refuses a record with two open sessions
    open = { key, session }
  }
  if (!open) return undefined
  const { session } = open
  const { indexInfo } = session
  if (typeof indexInfo.baseKey !== 'string' || fromBase64(indexInfo.baseKey).toString('latin1') !== open.key) return undefined
  if (!Array.isArray(session.oldRatchetList) || session.oldRatchetList.length > MAX_OLD_RATCHETS) return undefined
  if (!isObject(session.chains) || !isObject(session.currentRatchet)) return undefined
  if (typeof indexInfo.remoteIdentityKey !== 'string') return undefined
  const remoteIdentityKey = fromBase64(indexInfo.remoteIdentityKey)
  if (remoteIdentityKey.byteLength !== 33) return undefined
  return { record: record as unknown as StoredRecord, session, remoteIdentityKey }
}

/** A chain of the given type with a usable chain key, or undefined. */
export function usableChain(session: StoredSession, ephemeralKeyBase64: string, type: number): StoredChain | undefined {
  if (!Object.hasOwn(session.chains, ephemeralKeyBase64)) return undefined
  const chain = session.chains[ephemeralKeyBase64]
  if (!isObject(chain) || chain.chainType !== type || !isObject(chain.chainKey) || !isObject(chain.messageKeys)) return undefined
  if (!Number.isInteger(chain.chainKey.counter)) return undefined
  return chain
}
