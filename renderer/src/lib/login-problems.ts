/**
 * Words for why a login did not work (adding an account, saving its settings, a running account). The core
 * reports codes (auth-failed, network, tls-untrusted, tls-required); this is the one place they become
 * sentences, each saying what to do next.
 */
import type { ApiError } from '../../../preload/api.ts'

export interface LoginProblem {
  /** A short headline: what went wrong. */
  title: string
  /** What it means and what to do about it. */
  advice: string
  /** The field to fix when the user chooses Edit. */
  fix: 'password' | 'server' | 'address' | null
}

/** Where the app connects for an account: the host/port override, else the address's domain (DNS). */
export function serverLabel(jid: string, host: string | null | undefined, port: number | null | undefined): string {
  const domain = jid.split('@')[1] ?? jid
  if (host) return port ? `${host}:${port}` : host
  return port ? `${domain}:${port}` : domain
}

/**
 * Where the login was tried, for the advice: adding an account (with or without a host/port under Advanced),
 * saving new settings (nothing was saved), or a running account (the app retries a network failure by itself;
 * Edit opens its settings).
 */
export type LoginContext = { during: 'add'; hostGiven: boolean } | { during: 'settings' } | { during: 'running' }

export function loginProblem(error: ApiError, jid: string, server: string, context: LoginContext): LoginProblem {
  switch (error.code) {
    case 'auth-failed':
      return {
        title: 'Wrong address or password',
        advice:
          context.during === 'running'
            ? `The server ${server} no longer accepts the saved password for ${jid}, so the app stopped trying. If you changed the password in another app or on the web, choose Edit and enter the new one.`
            : context.during === 'settings'
              ? `The server ${server} did not accept this password for ${jid}. Check it (capital letters count) and save again.`
              : `The server ${server} did not accept the password for ${jid}. Choose Edit and check the address and the password (capital letters count).`,
        fix: 'password',
      }
    case 'network':
      return {
        title: `Cannot reach ${server}`,
        advice:
          context.during === 'running'
            ? "The server did not answer, or refused the connection. The app keeps trying by itself. Check your internet connection, or choose Edit if the server's host or port changed."
            : context.during === 'settings'
              ? 'The server did not answer, or refused the connection. Check your internet connection, and the host and port (leave them empty to find the server from the address).'
              : context.hostGiven
                ? 'The server did not answer, or refused the connection. Check your internet connection, and the host and port under Advanced (leave them empty to find the server from the address).'
                : 'The server did not answer, or refused the connection. Check your internet connection and the address. If the server is not found from the address, enter its host and port under Advanced.',
        fix: 'server',
      }
    case 'protocol-violation':
      return {
        title: `${server} sent something that is not XMPP`,
        advice:
          'The app closed the connection to protect itself and will try again. If this keeps happening, the host and port may point at something else than an XMPP server, or something on the network interferes before the connection is encrypted.',
        fix: 'server',
      }
    case 'tls-untrusted':
      return {
        title: "The server's certificate is not trusted",
        advice: `${server} presented a certificate this app cannot verify. Choose Review certificate and compare its fingerprint with the one the server's operator gives you; trust it only if every character matches.`,
        fix: null,
      }
    case 'tls-required':
      return {
        title: 'The server does not offer encryption',
        advice: `${server} does not offer TLS, so the app did not send your password. Ask the server's operator to turn on TLS (STARTTLS), or check the host and port.`,
        fix: 'server',
      }
    case 'conflict':
      return { title: `${jid} is already in this app`, advice: 'Choose it on the left, or enter another address.', fix: 'address' }
    case 'invalid-input':
      return { title: 'Something in the form is not valid', advice: error.message, fix: null }
    default:
      return { title: 'Could not connect', advice: error.message, fix: null }
  }
}
