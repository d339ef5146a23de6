/**
 * The throwaway Prosody helper itself: STARTTLS with a certificate from its own CA, registered users,
 * nothing listening besides c2s, and a restart on the same port and data.
 */
import { connect as connectTls, type TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { clientStreamHeader, openTcp, RawXmppStream, STARTTLS_REQUEST } from '../helpers/raw-xmpp.ts'
import { runCommand } from '../helpers/run-command.ts'

const REPLY_TIMEOUT_MS = 5_000
const alice = { username: 'alice', password: 'alice-secret' }
const bob = { username: 'bob', password: 'bob-secret' }

let server: ProsodyServer

beforeAll(async () => {
  server = await startProsody({ users: [alice, bob] })
})

afterAll(async () => {
  await server?.dispose()
})

/** Plain stream → <starttls/> → <proceed/> → TLS verified against the test CA → fresh stream. */
async function openVerifiedStream(): Promise<{ stream: RawXmppStream; tlsSocket: TLSSocket }> {
  const plain = new RawXmppStream(await openTcp(server.host, server.port, REPLY_TIMEOUT_MS))
  plain.send(clientStreamHeader(server.domain))
  const features = await plain.expect(/<\/stream:features>/u, REPLY_TIMEOUT_MS)
  expect(features).toMatch(/<starttls xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]>\s*<required\s*\/>/u)
  plain.send(STARTTLS_REQUEST)
  await plain.expect(/<proceed xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]\s*\/>/u, REPLY_TIMEOUT_MS)

  const tlsSocket = await new Promise<TLSSocket>((resolve, reject) => {
    const socket = connectTls({ socket: plain.detach(), servername: server.domain, ca: server.caPem })
    socket.once('secureConnect', () => resolve(socket))
    socket.once('error', reject)
  })
  const stream = new RawXmppStream(tlsSocket)
  stream.send(clientStreamHeader(server.domain))
  return { stream, tlsSocket }
}

/** SASL PLAIN on a verified stream; resolves with the server's <success/> or <failure/> reply. */
async function authenticatePlain(
  username: string,
  password: string,
  afterSuccess?: (stream: RawXmppStream) => Promise<void>,
): Promise<string> {
  const { stream } = await openVerifiedStream()
  try {
    await stream.expect(/<\/stream:features>/u, REPLY_TIMEOUT_MS)
    const credentials = Buffer.from(`\0${username}\0${password}`).toString('base64')
    stream.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${credentials}</auth>`)
    const reply = await stream.expect(/<success[\s/>]|<\/failure>/u, REPLY_TIMEOUT_MS)
    if (/<success/u.test(reply)) await afterSuccess?.(stream)
    return reply
  } finally {
    stream.close()
  }
}

/** The features the client relies on, i.e. the modules the config loads (checked by disco#info). */
async function expectClientFeatures(stream: RawXmppStream, bareJid: string): Promise<void> {
  stream.send(clientStreamHeader(server.domain))
  const features = await stream.expect(/<\/stream:features>/u, REPLY_TIMEOUT_MS)
  expect(features).toContain('urn:xmpp:sm:3')
  expect(features).toContain('urn:xmpp:csi:0')
  stream.send("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
  await stream.expect(/<\/iq>/u, REPLY_TIMEOUT_MS)
  stream.send(`<iq type='get' id='server-info' to='${server.domain}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`)
  const serverInfo = await stream.expect(/<\/iq>/u, REPLY_TIMEOUT_MS)
  for (const feature of ['urn:xmpp:carbons:2', 'urn:xmpp:blocking', 'urn:xmpp:ping', 'jabber:iq:private', 'msgoffline']) {
    expect(serverInfo).toContain(`var='${feature}'`)
  }
  stream.send(`<iq type='get' id='account-info' to='${bareJid}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`)
  const accountInfo = await stream.expect(/<\/iq>/u, REPLY_TIMEOUT_MS)
  for (const feature of ['urn:xmpp:mam:2', 'http://jabber.org/protocol/pubsub#publish', 'urn:ietf:params:xml:ns:vcard-4.0']) {
    expect(accountInfo).toContain(`var='${feature}'`)
  }
}

describe('throwaway prosody', () => {
  it('requires STARTTLS and presents a certificate for its domain issued by its own CA', async () => {
    const { stream, tlsSocket } = await openVerifiedStream()
    try {
      expect(tlsSocket.authorized).toBe(true)
      expect(tlsSocket.getPeerCertificate().subjectaltname).toBe(`DNS:${server.domain}`)
      const features = await stream.expect(/<\/stream:features>/u, REPLY_TIMEOUT_MS)
      expect(features).toContain('<mechanism>PLAIN</mechanism>')
    } finally {
      stream.close()
    }
  })

  it('knows the registered users and refuses a wrong password', async () => {
    expect(await authenticatePlain(bob.username, bob.password)).toMatch(/<success/u)
    expect(await authenticatePlain(alice.username, 'not-the-password')).toMatch(/<not-authorized\/>/u)
    expect(server.jid(alice.username)).toBe('alice@localhost')
  })

  it('advertises the features the client relies on', async () => {
    const aliceJid = server.jid(alice.username)
    await authenticatePlain(alice.username, alice.password, (stream) => expectClientFeatures(stream, aliceJid))
  })

  it('listens on the c2s port only', async () => {
    const { stdout } = await runCommand('ss', ['-Hltnp'])
    const ownSockets = stdout.split('\n').filter((line) => line.includes(`pid=${server.pid},`))
    expect(ownSockets.map((line) => line.split(/\s+/u)[3])).toEqual([`${server.host}:${server.port}`])
  })

  it('stops by PID and starts again on the same port with the same accounts', async () => {
    const portBefore = server.port
    const pidBefore = server.pid
    await server.stop()
    await server.stop()
    expect(server.pid).toBeUndefined()
    await expect(openTcp(server.host, portBefore, REPLY_TIMEOUT_MS)).rejects.toThrow(/ECONNREFUSED/u)

    await server.start()
    expect(server.port).toBe(portBefore)
    expect(server.pid).not.toBe(pidBefore)
    expect(await authenticatePlain(alice.username, alice.password)).toMatch(/<success/u)
  })
})
