import { promises as dns } from 'node:dns'

export interface Endpoint {
  host: string
  port: number
}

const DEFAULT_CLIENT_PORT = 5222

/**
 * Where to connect for a domain (RFC 6120 §3.2): an explicit host/port override wins; otherwise the
 * `_xmpp-client._tcp` SRV record with the lowest priority; otherwise the domain itself on 5222.
 */
export async function resolveEndpoint(domain: string, override: { host: string | null; port: number | null }): Promise<Endpoint> {
  if (override.host) return { host: override.host, port: override.port ?? DEFAULT_CLIENT_PORT }
  try {
    const records = await dns.resolveSrv(`_xmpp-client._tcp.${domain}`)
    const best = records.filter((record) => record.name !== '.').sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0]
    if (best) return { host: best.name, port: override.port ?? best.port }
  } catch {
    // No SRV record: fall through to the domain itself.
  }
  return { host: domain, port: override.port ?? DEFAULT_CLIENT_PORT }
}
