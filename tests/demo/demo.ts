/**
 * `npm run demo`: see the product work without an XMPP account. Starts a throwaway Prosody on
 * 127.0.0.1 with two accounts (alice, bob), starts browser mode with both accounts added, lets them
 * talk, and prints the URL to open. Everything lives in temp dirs that are removed on exit (Ctrl+C).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EventEnvelope } from '../../preload/api.ts'
import { startWebMode } from '../../main/core/bridge/web-mode.ts'
import type { Core } from '../../main/core/index.ts'
import { startProsody } from '../helpers/prosody.ts'

const DEMO_PASSPHRASE = 'demo passphrase, not secret'

function prosodyInstalled(): boolean {
  return spawnSync('prosodyctl', ['about'], { stdio: 'ignore' }).status === 0
}

function waitFor(core: Core, match: (envelope: EventEnvelope) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error('The demo accounts did not come online within 30 s'))
    }, 30_000)
    const unsubscribe = core.subscribe((envelope) => {
      if (!match(envelope)) return
      clearTimeout(timer)
      unsubscribe()
      resolve()
    })
  })
}

async function main(): Promise<void> {
  if (!prosodyInstalled()) {
    console.error('The demo needs a local Prosody XMPP server. On Debian/Ubuntu: sudo apt-get install prosody')
    console.error('(The demo starts its own throwaway instance on 127.0.0.1; the system service is not used.)')
    process.exit(1)
  }
  const server = await startProsody({ users: [{ username: 'alice', password: 'alice-demo' }, { username: 'bob', password: 'bob-demo' }] })
  const dataDir = await mkdtemp(join(tmpdir(), 'ciphermoon-demo-'))
  const caFile = join(dataDir, 'demo-ca.pem')
  await writeFile(caFile, server.caPem)
  const web = await startWebMode({ dataDir: join(dataDir, 'app'), staticDir: fileURLToPath(new URL('../../out/renderer/', import.meta.url)), caFiles: [caFile] })

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    console.log('\nStopping the demo and removing its data…')
    await web.close().catch(() => undefined)
    await server.dispose().catch(() => undefined)
    await rm(dataDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())

  const { core } = web
  await core.request('app:unlock', { passphrase: DEMO_PASSPHRASE })
  const online = (jid: string) => waitFor(core, (e) => e.event === 'accounts:changed' && (e.payload as { jid: string; state: string; lastSyncedAt: number | null }).jid === jid && (e.payload as { lastSyncedAt: number | null }).lastSyncedAt !== null)
  const bothOnline = Promise.all([online('alice@localhost'), online('bob@localhost')])
  const alice = await core.request('accounts:add', { jid: 'alice@localhost', password: 'alice-demo', host: server.host, port: server.port })
  const bob = await core.request('accounts:add', { jid: 'bob@localhost', password: 'bob-demo', host: server.host, port: server.port })
  await bothOnline

  const asked = waitFor(core, (e) => e.event === 'roster:changed' && (e.payload as { accountId: number; pendingIn: boolean }).accountId === bob.id && (e.payload as { pendingIn: boolean }).pendingIn)
  await core.request('roster:add', { accountId: alice.id, jid: 'bob@localhost', name: 'Bob' })
  await asked
  await core.request('roster:respond', { accountId: bob.id, jid: 'alice@localhost', accept: true })
  const script: Array<[number, string, string]> = [
    [alice.id, 'bob@localhost', 'Hi Bob! This is Ciphermoon, running against a throwaway local server.'],
    [bob.id, 'alice@localhost', 'Hi Alice, I see you. Both of us are accounts in the same app window: switch with the rail on the left.'],
    [alice.id, 'bob@localhost', 'Type something in the box below and press Enter.'],
  ]
  for (const [accountId, to, body] of script) {
    const arrived = waitFor(core, (e) => e.event === 'messages:received' && (e.payload as { body: string; direction: string }).body === body && (e.payload as { direction: string }).direction === 'in')
    await core.request('messages:send', { accountId, to, body })
    await arrived
  }

  console.log('Demo ready: a local Prosody with alice@localhost and bob@localhost, both added to the app.')
  console.log(`Open: ${web.url}`)
  console.log('Press Ctrl+C to stop; all demo data is removed.')
}

main().catch((error: unknown) => {
  console.error('The demo failed:', error instanceof Error ? error.message : error)
  process.exit(1)
})
