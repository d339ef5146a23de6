/**
 * A core in a child process, for tests that kill it without warning (kill -9). Reads its settings
 * from the environment and prints every core event as one JSON line on stdout.
 *   CORE_DATA_DIR, CORE_KEY_HEX (32-byte database key), CORE_CA_FILE (the test server's CA)
 *
 * Contract calls come in on stdin, one JSON line each, `{"id": 1, "method": "messages:send", "params": {…}}`,
 * and are started in the order they arrive, without waiting for the previous answer (as a user's clicks would be);
 * each answer is printed like an event:
 * `{"event": "child:result", "payload": {"id": 1, "result": <the Result of core.call>}}`.
 */
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
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
const print = (envelope: unknown) => process.stdout.write(`${JSON.stringify(envelope)}\n`)
core.subscribe(print)
print({ event: 'child:ready', payload: null })
process.on('SIGTERM', () => void core.close().then(() => process.exit(0)))

// Without a stdin (spawned with 'ignore') this just sees the end at once.
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { id: number; method: string; params: unknown }
  void core.call(command.method, command.params).then((result) => print({ event: 'child:result', payload: { id: command.id, result } }))
})
