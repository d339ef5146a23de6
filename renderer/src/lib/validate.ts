/** Client-side checks mirroring the contract's input schemas, so errors show before a round trip.
 *  The core validates again; its messages are shown when it disagrees. */

/** Same shape as BareJid in preload/api.ts. */
const BARE_JID = /^[^@/\s<>'"&]+@[^@/\s<>'"&]+$/u
/** Same shape as Host in preload/api.ts. */
const HOST = /^[A-Za-z0-9.:[\]-]+$/u

export function normalizeJid(value: string): string {
  return value.trim().toLowerCase()
}

export function jidError(value: string): string | null {
  const jid = normalizeJid(value)
  if (!jid) return 'Enter an address'
  if (!BARE_JID.test(jid)) return 'Expected an address like name@example.org'
  return null
}

export function hostError(value: string): string | null {
  const host = value.trim()
  if (!host) return null
  if (host.length > 253 || !HOST.test(host)) return 'Not a host name'
  return null
}

/** An empty string means "no port" (null); otherwise an integer 1–65535. */
export function parsePort(value: string): { port: number | null; error: string | null } {
  const text = value.trim()
  if (!text) return { port: null, error: null }
  if (!/^\d+$/u.test(text)) return { port: null, error: 'Use 1–65535' }
  const port = Number(text)
  if (port < 1 || port > 65535) return { port: null, error: 'Use 1–65535' }
  return { port, error: null }
}

export const MIN_PASSPHRASE_LENGTH = 8

/** A whole number in [min, max], typed as text (settings fields). */
export function parseWholeNumber(value: string, range: { min: number; max: number }): { value: number | null; error: string | null } {
  const text = value.trim()
  const message = `Use a whole number from ${range.min} to ${range.max}`
  if (!/^\d+$/u.test(text)) return { value: null, error: message }
  const number = Number(text)
  if (number < range.min || number > range.max) return { value: null, error: message }
  return { value: number, error: null }
}

/** Splits the core's "field: problem; other: problem" validation message into problems by field
 *  (top-level fields only); a message without field names gives none. */
export function fieldErrors(message: string): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const part of message.split('; ')) {
    const match = /^([A-Za-z][A-Za-z0-9]*): (.+)$/su.exec(part)
    if (match?.[1] && match[2] && errors[match[1]] === undefined) errors[match[1]] = match[2]
  }
  return errors
}
