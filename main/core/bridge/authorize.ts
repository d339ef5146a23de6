import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { BRIDGE_PATH } from '../../../preload/api.ts'

export const TOKEN_BYTES = 32

export function createBridgeToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex')
}

/** Constant-time string comparison; hashing first hides the length of the expected value too. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

export interface UpgradeRequest {
  /** The request target as sent (`/bridge?token=…`). */
  url: string | undefined
  origin: string | undefined
  host: string | undefined
}

export type UpgradeVerdict = { ok: true } | { ok: false; status: 400 | 401 | 403 | 404; reason: string }

/**
 * Decides whether a WebSocket upgrade may reach the core. All of these must hold:
 * - the path is exactly BRIDGE_PATH;
 * - Host and Origin name exactly our own loopback origin (`http://127.0.0.1:PORT`), so another web
 *   page (including one reached through DNS rebinding) cannot talk to the bridge;
 * - the `token` query parameter equals the random per-run token printed in the start URL.
 */
export function authorizeUpgrade(request: UpgradeRequest, expected: { token: string; port: number }): UpgradeVerdict {
  const ownHost = `127.0.0.1:${expected.port}`
  let target: URL
  try {
    target = new URL(request.url ?? '', `http://${ownHost}`)
  } catch {
    return { ok: false, status: 400, reason: 'Bad request target' }
  }
  if (target.pathname !== BRIDGE_PATH) return { ok: false, status: 404, reason: 'Not found' }
  if (request.host !== ownHost) return { ok: false, status: 403, reason: 'Wrong Host' }
  if (request.origin !== `http://${ownHost}`) return { ok: false, status: 403, reason: 'Wrong Origin' }
  const tokens = target.searchParams.getAll('token')
  if (tokens.length !== 1 || !tokensEqual(tokens[0] ?? '', expected.token)) return { ok: false, status: 401, reason: 'Wrong token' }
  return { ok: true }
}
