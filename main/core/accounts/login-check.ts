import { randomBytes } from 'node:crypto'
import type { PresentedCertificate } from '../xmpp/certificate.ts'
import { createAccountClient, type ConnectionSettings } from './account-client.ts'
import { connectOnce, dropConnection } from './connect-once.ts'
import { classifyLoginFailure, type LoginFailure } from './login-failure.ts'

/** A login check gives up after this long: the user is waiting in a dialog. */
export const LOGIN_CHECK_TIMEOUT_MS = 20_000

export interface LoginCheckOptions {
  extraCaCertificates: readonly string[]
  timeoutMs?: number
  /** Cancelled by the user: the connection is dropped at once and the check ends (the caller reports it). */
  signal?: AbortSignal
}

export type LoginSettings = Omit<ConnectionSettings, 'resource'>

/**
 * Logs in once with these settings on a connection of its own and closes it again; null when it worked. The
 * connection binds a resource of its own and sends no presence (RFC 6121 §4.2), so the server delivers no
 * messages to it and a session of the account that is already online is not disturbed.
 */
export async function tryLogin(settings: LoginSettings, options: LoginCheckOptions): Promise<LoginFailure | null> {
  const resource = `ciphermoon-check-${randomBytes(4).toString('hex')}`
  const { client, presented } = await createAccountClient({ ...settings, resource }, { extraCaCertificates: options.extraCaCertificates, streamManagement: false })
  const { entity } = client
  entity.on('error', () => undefined) // failures surface through connectOnce
  const { signal } = options
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => undefined)
  try {
    signal?.throwIfAborted()
    await Promise.race([connectOnce(client, options.timeoutMs ?? LOGIN_CHECK_TIMEOUT_MS), aborted])
  } catch (error) {
    dropConnection(client)
    if (signal?.aborted) throw signal.reason
    return classifyLoginFailure(error, settings.jid, presented())
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort)
  }
  await entity.stop().catch(() => undefined)
  return null
}

/**
 * The login must work before settings are saved. When the server presents an untrusted certificate that
 * is exactly the one the user confirmed (`confirmedFingerprint`, from an earlier tls-untrusted error), the
 * login is tried once more with that certificate pinned, so a pin is only ever a certificate this server
 * really presented and the login worked with. Resolves with the certificate to pin (null: the normal trust
 * or the current pin was enough); rejects with the failure's CoreError.
 */
export async function verifyLogin(
  settings: LoginSettings,
  confirmedFingerprint: string | undefined,
  options: LoginCheckOptions,
): Promise<PresentedCertificate | null> {
  const first = await tryLogin(settings, options)
  if (!first) return null
  const presented = first.untrusted
  if (!presented || confirmedFingerprint === undefined || presented.dto.fingerprint !== confirmedFingerprint) throw first.error
  const pinned = await tryLogin({ ...settings, pinnedCertificatePem: presented.pem }, options)
  if (pinned) throw pinned.error
  return presented
}
