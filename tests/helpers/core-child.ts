/**
 * A core in a child process, for tests that kill it without warning (kill -9). Reads its settings
 * from the environment and prints every core event as one JSON line on stdout.
 *   CORE_DATA_DIR, CORE_KEY_HEX (32-byte database key), CORE_CA_FILE (the test server's CA)
 */
import { readFileSync } from 'node:fs'
import { createCore, createFixedKeyProvider } from '../../main/core/index.ts'

const dataDir = process.env.CORE_DATA_DIR
const keyHex = process.env.CORE_KEY_HEX
const caFile = process.env.CORE_CA_FILE
if (!dataDir || !keyHex || !caFile) {
  console.error('CORE_DATA_DIR, CORE_KEY_HEX and CORE_CA_FILE are required')
  process.exit(2)
}
const core = await createCore({
  dataDir,
  keyProvider: createFixedKeyProvider(Buffer.from(keyHex, 'hex')),
  extraCaCertificates: [readFileSync(caFile, 'utf8')],
})
core.subscribe((envelope) => process.stdout.write(`${JSON.stringify(envelope)}\n`))
process.stdout.write(`${JSON.stringify({ event: 'child:ready', payload: null })}\n`)
process.on('SIGTERM', () => void core.close().then(() => process.exit(0)))
