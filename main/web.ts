/**
 * `npm run web`: browser mode (ARCHITECTURE.md "Browser mode"). Starts the core, serves the built
 * renderer and the WebSocket bridge on 127.0.0.1 only, and prints the URL with its one-time token.
 *
 *   node main/web.ts [--data-dir DIR] [--port N] [--ca-file PEM]...
 *
 * --data-dir   default: $MESSENGER_DATA_DIR, else ~/.local/share/ciphermoon-web
 * --port       default: an ephemeral port
 * --ca-file    an extra trust anchor (PEM) for XMPP servers: a test or company CA. Repeatable.
 *              Verification stays on; this only adds roots.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startWebMode } from './core/bridge/web-mode.ts'

const USAGE = 'Usage: node main/web.ts [--data-dir DIR] [--port N] [--ca-file PEM]...'

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'ca-file': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, not ${values.port}\n${USAGE}`)
    process.exit(2)
  }
  const dataDir = values['data-dir'] ?? process.env.MESSENGER_DATA_DIR ?? join(homedir(), '.local', 'share', 'ciphermoon-web')

  const web = await startWebMode({
    dataDir,
    staticDir: fileURLToPath(new URL('../out/renderer/', import.meta.url)),
    port,
    caFiles: values['ca-file'] ?? [],
  })
  console.log(`Data: ${dataDir}`)
  console.log(`Open: ${web.url}`)

  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: shutting down`)
    web.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
