import type { XmppClient } from '../xmpp/client-factory.ts'
import { LOGIN_TIMEOUT_MS, waitUntilOnline } from './wait-until-online.ts'

/**
 * Connects and logs in once (TCP, STARTTLS, SASL, resource binding or XEP-0198 resumption). Resolves when the
 * stream is ready; rejects with the first failure, or after `timeoutMs` even while the TCP connect itself still
 * hangs (a host that drops packets). The caller tears the client down after a failure.
 */
export async function connectOnce(client: XmppClient, timeoutMs = LOGIN_TIMEOUT_MS): Promise<'online' | 'resumed'> {
  const { entity, streamManagement } = client
  // xmpp.js gives each answer of the server (its stream header, STARTTLS's <proceed/>) its `timeout`, 2 s by
  // default: too short for a slow link or a loaded machine, where the login then fails as "cannot reach". During
  // the login the whole of it is bounded by `timeoutMs` instead; afterwards the short default applies again (it
  // bounds the closing handshake with a server that may not answer).
  const answerTimeout = entity.timeout
  entity.timeout = timeoutMs
  try {
    const online = waitUntilOnline(entity, streamManagement, timeoutMs)
    online.catch(() => undefined)
    const opened = (async () => {
      await entity.connect(entity.options.service ?? '')
      await entity.open({ domain: entity.options.domain })
    })()
    opened.catch(() => undefined)
    // Whichever fails first decides; a connect that never returns loses to the timeout in `online`.
    await Promise.race([opened, online])
    return await online
  } finally {
    entity.timeout = answerTimeout
  }
}

/**
 * Ends a connection whose login failed at once, without the closing handshake (which waits for a server that
 * may never answer): the stream is unusable anyway. The entity then reports 'disconnect' as usual.
 */
export function dropConnection(client: XmppClient): void {
  const socket = client.entity.socket as { socket?: { destroy?: () => void } | null; destroy?: () => void } | null | undefined
  const raw = socket?.socket ?? socket // @xmpp/tls wraps the TLS socket; before STARTTLS it is the net.Socket
  raw?.destroy?.()
}
