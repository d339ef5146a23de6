/**
 * A TCP relay on loopback between a client and a real server, for attacks by "whatever answers the connection"
 * (no certificate needed: everything here happens before STARTTLS). In `pass` mode it forwards both ways. In
 * `hostile` mode each new connection gets the real server's stream header and features, and then the given
 * bytes, as if the server sent them; what the client answers is recorded.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export type RelayMode = { kind: 'pass' } | { kind: 'hostile'; bytes: Buffer }

export interface StreamRelay {
  readonly port: number
  mode: RelayMode
  /** Everything clients sent on connections made in hostile mode, per connection. */
  readonly heardInHostileMode: string[]
  /** Connections accepted so far. */
  readonly connections: number
  /** Cuts every open connection (the client sees the server go away). */
  dropAll(): void
  close(): Promise<void>
}

export async function startStreamRelay(target: { host: string; port: number }): Promise<StreamRelay> {
  const open = new Set<Socket>()
  const heard: string[] = []
  let connections = 0
  const relay: StreamRelay = {
    port: 0,
    mode: { kind: 'pass' },
    heardInHostileMode: heard,
    get connections() {
      return connections
    },
    dropAll() {
      for (const socket of open) socket.destroy()
      open.clear()
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        relay.dropAll()
      }),
  }
  const server: Server = createServer((client) => {
    connections += 1
    const upstream = connect(target.port, target.host)
    open.add(client)
    open.add(upstream)
    const end = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end)
    const mode = relay.mode
    if (mode.kind === 'pass') {
      upstream.on('close', end)
      client.pipe(upstream)
      upstream.pipe(client)
      return
    }
    // Hostile: the server's part ends after its features; the client's connection stays, with the relay talking.
    const index = heard.push('') - 1
    client.on('data', (data) => {
      heard[index] += data.toString('utf8')
      // Only the client's stream header goes to the server; after the features the relay speaks alone.
      if (!upstream.destroyed && heard[index]!.includes('<stream:stream')) upstream.write(data)
    })
    let fromServer = ''
    upstream.on('data', (data) => {
      if (fromServer.includes('</stream:features>')) return
      fromServer += data.toString('utf8')
      const features = fromServer.indexOf('</stream:features>')
      if (features === -1) return
      client.write(fromServer.slice(0, features + '</stream:features>'.length))
      client.write(mode.bytes)
      upstream.removeListener('error', end)
      upstream.on('error', () => undefined)
      upstream.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The relay has no port')
  return Object.assign(relay, { port: address.port })
}
