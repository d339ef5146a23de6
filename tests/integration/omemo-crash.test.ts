import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { accountReaches, startAliceAndBob, startCore, stopAll, type TestCore } from '../helpers/core-harness.ts'
import type { ProsodyServer } from '../helpers/prosody.ts'

let server: ProsodyServer
let alice: TestCore
let bob: TestCore
let aliceAccount: AccountDto
let bobAccount: AccountDto

beforeAll(async () => {
  ;({ server, alice, bob, aliceAccount, bobAccount } = await startAliceAndBob())
})

afterAll(() => stopAll(server, alice, bob))

const TOTAL = 300
const KILL_AFTER = 40

describe('kill -9 in the middle of an OMEMO archive catch-up', () => {
  it('loses nothing: after a restart every message is there exactly once, decrypted', async () => {
    // Bob reads one message so both sides have a session, then goes away with his data kept.
    const first = bob.next('messages:received', (m) => m.body === 'warm-up')
    await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body: 'warm-up' })
    await first
    const { dataDir, key } = bob
    await bob.close({ keepData: true })

    const bodies = Array.from({ length: TOTAL }, (_, i) => `while bob was away ${String(i + 1).padStart(3, '0')}`)
    const lastAcked = alice.next('messages:updated', (m) => m.body === bodies.at(-1) && m.state === 'acked', 60_000)
    for (const body of bodies) {
      const sent = await alice.core.request('messages:send', { accountId: aliceAccount.id, to: 'bob@localhost', body })
      expect(sent.encryption).toBe('omemo')
    }
    await lastAcked

    // Bob's app starts catching up in a child process and is killed without warning partway.
    const caFile = join(dataDir, 'test-ca.pem')
    await writeFile(caFile, server.caPem)
    const child = spawn(process.execPath, ['tests/helpers/core-child.ts'], {
      env: { ...process.env, CORE_DATA_DIR: dataDir, CORE_KEY_HEX: key.toString('hex'), CORE_CA_FILE: caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let receivedBeforeKill = 0
    const exited = new Promise((resolve) => child.once('exit', resolve))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child stored only ${receivedBeforeKill} messages`)), 60_000)
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const envelope = JSON.parse(line) as { event: string; payload: { body?: string } }
        if (envelope.event !== 'messages:received' || !envelope.payload.body?.startsWith('while bob was away')) return
        receivedBeforeKill += 1
        if (receivedBeforeKill === KILL_AFTER) {
          child.kill('SIGKILL')
          clearTimeout(timer)
          resolve()
        }
      })
    })
    await exited
    expect(receivedBeforeKill).toBeGreaterThanOrEqual(KILL_AFTER)

    // Restart: the catch-up resumes; nothing twice, nothing missing, nothing undecryptable.
    bob = await startCore(server, { dataDir, key })
    const before = Date.now()
    await accountReaches(bob, bobAccount.id, (a) => a.state === 'online' && !a.syncing && (a.lastSyncedAt ?? 0) >= before)
    const history = await bob.core.request('messages:list', { accountId: bobAccount.id, peer: 'alice@localhost', limit: 500 })
    const caughtUp = history.filter((m) => m.body.startsWith('while bob was away'))
    expect(caughtUp.map((m) => m.body)).toEqual(bodies)
    expect(history.filter((m) => m.undecryptable !== null)).toEqual([])
    expect(caughtUp.every((m) => m.encryption === 'omemo' && m.sender !== null)).toBe(true)
  })
})
