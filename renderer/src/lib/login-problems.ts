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

export function loginProblem(error: ApiError, jid: string, server: string): LoginProblem {
  switch (error.code) {
    case 'auth-failed':
      return {
        title: 'Wrong address or password',
        advice: `The server ${server} did not accept the password for ${jid}. Check the password and the address. If you changed the password in another app or on the web, enter the new one here.`,
        fix: 'password',
      }
    case 'network':
      return {
        title: `Cannot reach ${server}`,
        advice:
          'The server did not answer, or refused the connection. Check your internet connection and the address; if the server is not found from the address, enter its host and port under Advanced. If the server is down, try again later.',
        fix: 'server',
      }
    case 'tls-untrusted':
      return {
        title: "The server's certificate is not trusted",
        advice: `${server} presented a certificate this app cannot verify. Compare its fingerprint with the one the server's operator gives you before you trust it.`,
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
