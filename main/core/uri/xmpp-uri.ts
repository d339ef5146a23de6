/**
 * `xmpp:` links (RFC 5122, actions from the XEP-0147 registry) turned into the one thing the app may
 * do with them. Links come from anywhere (web pages, other apps, the command line), so everything
 * not clearly understood is refused, with a reason that never repeats the link's text.
 *
 * Pure and total: never throws, whatever it is given.
 */
import type { UriActionDto } from '../../../preload/dtos.ts'
import { parseVerificationUri } from '../omemo/fingerprint.ts'

export type XmppUriAction = UriActionDto
export type XmppUriResult = XmppUriAction | { invalid: string }

/** Longer links are refused before any parsing (the contract allows the same length). */
export const MAX_URI_LENGTH = 4096
/** RFC 7622 §3.3 / §3.2: each part of a JID is at most 1023 bytes. */
const MAX_JID_PART_BYTES = 1023
const MAX_ROSTER_NAME = 200

/** Controls, invisible format characters (bidi overrides, zero-width), line separators, lone surrogates. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u
const WHITESPACE = /\s/u
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/u
/** Something that looks like the start of another link inside this one. */
const NESTED = /^[A-Za-z][A-Za-z0-9+.-]*:|:\/\//u
const DANGEROUS_VALUE = /^(?:javascript|data|vbscript|file|xmpp|https?):|:\/\//iu
/** RFC 7622 §3.3.1: characters a localpart may not contain (plus whitespace). */
const LOCALPART_FORBIDDEN = /["&'/:<>@\s]/u
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u
const ACTION = /^[a-z][a-z0-9-]*$/u
const PARAM = /^([A-Za-z0-9._-]+)=(.*)$/su
const OMEMO_SID = /^omemo-sid-(\d{1,10})$/u
const FINGERPRINT = /^[0-9a-fA-F]{64}$/u

const encoder = new TextEncoder()

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason)
}

function decode(raw: string): string {
  if (/%(?![0-9A-Fa-f]{2})/u.test(raw)) fail('The link has a broken %-escape')
  let text: string
  try {
    text = decodeURIComponent(raw)
  } catch {
    fail('The link has a broken %-escape')
  }
  if (HIDDEN.test(text)) fail('The link contains control or invisible characters')
  return text
}

function bareJid(rawBare: string): string {
  const at = rawBare.split('@')
  if (at.length !== 2 || !at[0] || !at[1]) fail('The link does not name an address like name@example.org')
  const local = decode(at[0]).normalize('NFC').toLowerCase()
  const domain = decode(at[1]).normalize('NFC').toLowerCase()
  if (!local || LOCALPART_FORBIDDEN.test(local) || encoder.encode(local).length > MAX_JID_PART_BYTES) {
    fail('The address in the link is not valid')
  }
  if (!domain || encoder.encode(domain).length > MAX_JID_PART_BYTES || !domain.split('.').every((label) => DOMAIN_LABEL.test(label))) {
    fail('The server name in the link is not valid')
  }
  return `${local}@${domain}`
}

interface Query {
  action: string | null
  params: Map<string, string>
  /** The keys in link order (verification links are checked pair by pair). */
  order: string[]
}

function parseQuery(raw: string): Query {
  const parts = raw.split(/[;&]/u)
  // One trailing separator is harmless ("?message;").
  if (parts.length > 1 && parts.at(-1) === '') parts.pop()
  let action: string | null = null
  if (parts.length > 0 && !parts[0]!.includes('=')) {
    action = decode(parts.shift()!)
    if (action !== '' && !ACTION.test(action)) fail('The link asks for something this app does not understand')
    if (action === '') action = null
  }
  const params = new Map<string, string>()
  const order: string[] = []
  for (const part of parts) {
    const pair = PARAM.exec(part)
    if (!pair) fail('The link has a malformed parameter')
    const key = pair[1]!
    if (params.has(key)) fail('The link repeats a parameter')
    params.set(key, decode(pair[2]!))
    order.push(key)
  }
  return { action, params, order }
}

function verification(normalized: string, jid: string, query: Query): XmppUriAction {
  for (const key of query.order) {
    const sid = OMEMO_SID.exec(key)
    if (!sid) fail('A verification link may only carry omemo-sid-… fingerprints')
    const deviceId = Number(sid[1])
    if (deviceId < 1 || deviceId > 2 ** 31 - 1) fail('The link names a device id out of range')
    if (!FINGERPRINT.test(query.params.get(key)!)) fail('The link carries a malformed fingerprint')
  }
  const claims = parseVerificationUri(normalized)
  if (!claims || claims.length !== query.order.length || claims.some((claim) => claim.jid !== jid)) {
    fail('This is not a valid OMEMO verification link')
  }
  return { kind: 'verify', jid, uri: normalized, claims }
}

function parse(input: unknown): XmppUriAction {
  if (typeof input !== 'string') fail('The link is not text')
  if (input.length > MAX_URI_LENGTH) fail(`The link is longer than ${MAX_URI_LENGTH} characters`)
  // Surrounding ASCII white space (a pasted line, a command line) is dropped; nothing else is.
  const text = input.replace(/^[\t\n\r ]+|[\t\n\r ]+$/gu, '')
  if (!text) fail('The link is empty')
  if (HIDDEN.test(text)) fail('The link contains control or invisible characters')
  if (WHITESPACE.test(text)) fail('The link contains spaces')
  const scheme = SCHEME.exec(text)
  if (!scheme || scheme[1]!.toLowerCase() !== 'xmpp') fail('Only xmpp: links can be opened')
  const rest = text.slice(scheme[0].length)
  if (rest.startsWith('//')) {
    const authority = rest.slice(2).split(/[/?#]/u)[0] ?? ''
    if (authority.includes(':')) fail('The link contains a password or port for an account; such links are refused')
    fail('Links that choose the account to use (xmpp://…) are not supported')
  }
  if (rest.includes('#')) fail('Links with a #fragment are not supported')
  const question = rest.indexOf('?')
  const path = question === -1 ? rest : rest.slice(0, question)
  const rawQuery = question === -1 ? null : rest.slice(question + 1)
  if (!path || path.startsWith('/')) fail('The link does not name an address')
  if (NESTED.test(path) || NESTED.test(decode(path))) fail('The link contains another link')
  const slash = path.indexOf('/')
  const rawBare = slash === -1 ? path : path.slice(0, slash)
  const hasResource = slash !== -1
  if (hasResource) {
    const resource = decode(path.slice(slash + 1))
    if (!resource || encoder.encode(resource).length > MAX_JID_PART_BYTES) fail('The link has an empty or over-long resource')
  }
  const jid = bareJid(rawBare)
  const query = rawQuery === null ? { action: null, params: new Map<string, string>(), order: [] } : parseQuery(rawQuery)
  const noResource = (what: string): void => {
    if (hasResource) fail(`A ${what} link names an address without a /resource`)
  }
  const normalized = `xmpp:${rest}`

  switch (query.action) {
    case null:
      if (query.order.some((key) => key.startsWith('omemo-sid-'))) {
        noResource('verification')
        return verification(normalized, jid, query)
      }
      return { kind: 'chat', jid }
    case 'message':
      // A chat is with the bare address; the resource (one client of the contact) is dropped.
      // body=… is deliberately ignored: a link never writes a message for the user.
      return { kind: 'chat', jid }
    case 'join':
      noResource('group chat')
      return { kind: 'join', room: jid }
    case 'roster':
    case 'subscribe': {
      noResource('contact')
      const name = query.params.get('name')?.trim() ?? ''
      if (name.length > MAX_ROSTER_NAME) fail('The contact name in the link is too long')
      if (DANGEROUS_VALUE.test(name)) fail('The link contains another link')
      return { kind: 'roster', jid, name: name || null }
    }
    default:
      fail('The link asks for something this app does not support')
  }
}

/** Parses an `xmpp:` link into the action it asks for, or the reason it is refused. Never throws. */
export function parseXmppUri(uri: string): XmppUriResult {
  try {
    return parse(uri)
  } catch (error) {
    if (error instanceof Invalid) return { invalid: error.message }
    return { invalid: 'The link could not be read' }
  }
}
