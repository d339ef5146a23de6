import type { BridgeClientMessage, BridgeServerMessage, Result } from '../../../preload/api.ts'

/** What to do with one incoming WebSocket frame. */
export type FrameVerdict =
  | { kind: 'call'; message: BridgeClientMessage }
  /** Well-formed enough to answer (it has an id), but not a valid call. */
  | { kind: 'reject'; id: number; result: Result<never> }
  /** Nothing to answer to: close the socket with this code (RFC 6455 §7.4.1). */
  | { kind: 'close'; code: number; reason: string }

/** RFC 6455 §7.4.1 close codes used by the bridge. */
export const CLOSE_UNSUPPORTED_DATA = 1003
export const CLOSE_POLICY_VIOLATION = 1008
export const CLOSE_GOING_AWAY = 1001

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(id: number, message: string): FrameVerdict {
  return { kind: 'reject', id, result: { ok: false, error: { code: 'invalid-input', message } } }
}

/**
 * Checks the envelope of a client frame (the bridge protocol in preload/api.ts). Only the envelope:
 * the method name and the params are validated by `core.call` against the contract, exactly as for IPC.
 */
export function parseClientFrame(data: Buffer | string, isBinary: boolean): FrameVerdict {
  if (isBinary) return { kind: 'close', code: CLOSE_UNSUPPORTED_DATA, reason: 'Only JSON text frames are accepted' }
  let parsed: unknown
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'))
  } catch {
    return { kind: 'close', code: CLOSE_POLICY_VIOLATION, reason: 'Frame is not JSON' }
  }
  if (!isRecord(parsed) || typeof parsed.id !== 'number' || !Number.isSafeInteger(parsed.id) || parsed.id < 0) {
    return { kind: 'close', code: CLOSE_POLICY_VIOLATION, reason: 'Frame has no usable id' }
  }
  const id = parsed.id
  if (parsed.type !== 'call') return invalid(id, 'Unknown frame type (expected "call")')
  if (typeof parsed.method !== 'string') {
    return { kind: 'reject', id, result: { ok: false, error: { code: 'unknown-method', message: 'The method name must be a string' } } }
  }
  for (const key of Object.keys(parsed)) {
    if (key !== 'type' && key !== 'id' && key !== 'method' && key !== 'params') return invalid(id, `Unexpected field in frame: ${key.slice(0, 40)}`)
  }
  return { kind: 'call', message: { type: 'call', id, method: parsed.method, params: parsed.params } }
}

export function encodeServerMessage(message: BridgeServerMessage): string {
  return JSON.stringify(message)
}
