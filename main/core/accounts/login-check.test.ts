import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createAccountClient } from './account-client.ts'
import { connectOnce, dropConnection } from './connect-once.ts'
import { tryLogin } from './login-check.ts'
import { LoginTimeoutError } from './wait-until-online.ts'

/** A TCP server that accepts connections and never says a word (a stuck server, a wrong port). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
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
})
