import parseJid from '@xmpp/jid'

/** The bare JID (local@domain, lower-cased) of a full or bare JID string, or null if it is not a JID. */
export function bareJid(address: string | undefined | null): string | null {
  if (!address) return null
  try {
    const parsed = parseJid(address)
    if (!parsed.domain) return null
    return (parsed.local ? `${parsed.local}@${parsed.domain}` : parsed.domain).toLowerCase()
  } catch {
    return null
  }
}

export function resourceOf(address: string | undefined): string {
  if (!address) return ''
  const slash = address.indexOf('/')
  return slash === -1 ? '' : address.slice(slash + 1)
}

