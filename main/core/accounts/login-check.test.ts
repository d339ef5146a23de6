import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createAccountClient } from './account-client.ts'
import { connectOnce, dropConnection } from './connect-once.ts'
import { tryLogin } from './login-check.ts'
import { LoginTimeoutError } from './wait-until-online.ts'

/** A TCP server that accepts connections and never says a word (a stuck server, a wrong port). */
async function silentServer(): Promise<{ port: number; connected: Promise<net.Socket>; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>()
  let onConnection: (socket: net.Socket) => void = () => undefined
  const connected = new Promise<net.Socket>((resolve) => (onConnection = resolve))
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    onConnection(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
    connected,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const settings = (port: number) => ({ jid: 'alice@localhost', password: 'pw', host: '127.0.0.1', port, pinnedCertificatePem: null })
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

describe('a login attempt is bounded', () => {
  it('gives up on a server that never answers, with a timeout error', async () => {
    const server = await silentServer()
    closers.push(server.close)
    const { client } = await createAccountClient({ ...settings(server.port), resource: 'test' }, { extraCaCertificates: [] })
    client.entity.on('error', () => undefined)
    await expect(connectOnce(client, 200)).rejects.toBeInstanceOf(LoginTimeoutError)
    dropConnection(client)
  })

  it('reports a silent server as a network failure worth retrying, with no certificate', async () => {
    const server = await silentServer()
    closers.push(server.close)
    const failure = await tryLogin(settings(server.port), { extraCaCertificates: [], timeoutMs: 200 })
    expect(failure).toMatchObject({ final: false, untrusted: null, error: { code: 'network' } })
    expect(failure?.error.message).toMatch(/did not complete the login/u)
  })

  it('reports a closed port as a network failure', async () => {
    const server = await silentServer()
    await server.close()
    const failure = await tryLogin(settings(server.port), { extraCaCertificates: [], timeoutMs: 5000 })
    expect(failure).toMatchObject({ final: false, error: { code: 'network' } })
  })

  it('ends at once when cancelled, with the signal\'s reason, and closes the connection', async () => {
    const server = await silentServer()
    closers.push(server.close)
    const controller = new AbortController()
    const attempt = tryLogin(settings(server.port), { extraCaCertificates: [], timeoutMs: 20_000, signal: controller.signal })
    const socket = await server.connected
    const closed = new Promise((resolve) => socket.once('close', resolve))
    controller.abort(new Error('cancelled by the user'))
    await expect(attempt).rejects.toThrow('cancelled by the user')
    await closed
  })
})
