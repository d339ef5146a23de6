/**
 * `npm run bench`: libsignal on its default primitives, on main/core/omemo/crypto's fast ones, and the core's
 * session cipher (main/core/omemo/ratchet: fast primitives plus the direct symmetric step), against a
 * node:crypto floor measured in the same run. Prints one table; asserts nothing. BENCH_SECONDS (default 1.5)
 * sets the measured time per variant and row (split over interleaved rounds), after a short warm-up.
 *
 * Both primitive sets run in this one process: libsignal's setCurve/setWebCrypto are process-global but read at
 * call time, and measurements run one after another, so installing a set before each measurement is enough.
 * The sessions are set up once; their records are byte-identical whichever set made them (see the tests).
 */
import { availableParallelism, loadavg } from 'node:os'
import { installFastPrimitives } from '../../main/core/omemo/crypto/index.ts'
import { installDefaultPrimitives } from '../../main/core/omemo/crypto/test-support/primitive-sets.ts'
import { describeMachine, packageVersion } from './machine.ts'
import { measureMamCatchup } from './mam-catchup.ts'
import { measure, type Measurement } from './measure.ts'
import { prepareWorkloads } from './scenarios.ts'
import { installStubbedSymmetricCrypto } from './stub-crypto.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 1.5)
const options = { warmupSeconds: Math.min(0.4, seconds / 3), seconds }
const TARGET_FLOOR_RATIO = 3
const startLoad = loadavg()[0] ?? 0
const TARGET_SESSION_MS = 10

type Installer = () => void
type Step = () => Promise<unknown> | unknown
interface Variant {
  name: 'default' | 'fast' | 'core' | 'floor' | 'ceiling'
  install: Installer
  step: Step
}

const ROUNDS = 3

function progress(message: string): void {
  process.stderr.write(`  … ${message}\n`)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/**
 * Measures the variants in interleaved rounds (default, fast, floor, default, fast, floor, …) and keeps each
 * variant's median rate: background load on a shared 2-core machine then hits all variants alike instead of
 * skewing whichever happened to run during it.
 */
async function compare(label: string, variants: Variant[], minIterations = 2): Promise<Record<string, Measurement>> {
  progress(label)
  const rounds = new Map<string, Measurement[]>(variants.map((variant) => [variant.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      variant.install()
      const warmupSeconds = round === 0 ? options.warmupSeconds : 0
      rounds.get(variant.name)!.push(await measure(variant.step, { warmupSeconds, seconds: seconds / ROUNDS, minIterations }))
    }
  }
  const result: Record<string, Measurement> = {}
  for (const [name, measurements] of rounds) {
    const perSecond = median(measurements.map((measurement) => measurement.perSecond))
    const iterations = measurements.reduce((sum, measurement) => sum + measurement.iterations, 0)
    result[name] = { iterations, seconds: measurements.reduce((sum, m) => sum + m.seconds, 0), perSecond, msPerIteration: 1000 / perSecond }
  }
  return result
}

const rate = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1))
const ratio = (value: number) => `${value.toFixed(1)}×`
const mark = (ok: boolean) => (ok ? '✓' : '✗')

/** Other work on the machine skews every figure; say so when the 1-minute load average shows it. */
function loadNote(): string {
  const load = Math.max(startLoad, loadavg()[0] ?? 0)
  const cores = availableParallelism()
  return load > cores * 0.75 ? `NOTE: the machine was busy (load ${load.toFixed(1)} on ${cores} cores); figures are noisy. ` : ''
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('   ')).join('\n')
}

async function main(): Promise<void> {
  const started = performance.now()
  console.log(`OMEMO crypto benchmark — ${describeMachine()}`)
  console.log(
    `libsignal-protocol-typescript ${packageVersion('@privacyresearch/libsignal-protocol-typescript')}; each figure: median of ${ROUNDS} interleaved rounds, ${seconds} s in all per variant, after warm-up`,
  )

  installFastPrimitives() // setup speed only: the session records do not depend on the primitive set
  progress(`setting up 100 recipient sessions, a 1000-message receive batch, a bundle`)
  const workloads = await prepareWorkloads()

  const rows: string[][] = [
    ['', 'default msg/s', 'fast msg/s', 'core msg/s', 'floor msg/s', 'ceiling msg/s', 'core speed-up', 'default / floor', 'fast / floor', 'ceiling / floor', 'core / floor', 'target'],
  ]
  const targetRows: string[] = []

  for (const devices of [1, 10, 100]) {
    const label = `encrypt + stanza, ${devices} device${devices === 1 ? '' : 's'}`
    const results = await compare(label, [
      { name: 'default', install: installDefaultPrimitives, step: workloads.encrypt(devices) },
      { name: 'fast', install: installFastPrimitives, step: workloads.encrypt(devices) },
      { name: 'core', install: installFastPrimitives, step: workloads.encrypt(devices, { cipher: 'core' }) },
      { name: 'floor', install: installFastPrimitives, step: workloads.encryptFloor(devices) },
      { name: 'ceiling', install: installStubbedSymmetricCrypto, step: workloads.encrypt(devices, { isolated: true }) },
    ])
    const floor = results.floor!
    const coreCost = floor.perSecond / results.core!.perSecond
    const target = devices === 10 ? `≤ ${TARGET_FLOOR_RATIO}× floor ${mark(coreCost <= TARGET_FLOOR_RATIO)}` : ''
    if (target) targetRows.push(`send to 10 devices within ${TARGET_FLOOR_RATIO}× the floor: ${ratio(coreCost)} ${mark(coreCost <= TARGET_FLOOR_RATIO)}`)
    rows.push([
      label,
      rate(results.default!.perSecond),
      rate(results.fast!.perSecond),
      rate(results.core!.perSecond),
      rate(floor.perSecond),
      rate(results.ceiling!.perSecond),
      ratio(results.core!.perSecond / results.default!.perSecond),
      ratio(floor.perSecond / results.default!.perSecond),
      ratio(floor.perSecond / results.fast!.perSecond),
      ratio(floor.perSecond / results.ceiling!.perSecond),
      ratio(coreCost),
      target,
    ])
  }

  {
    const results = await compare('decrypt + payload, 1 device', [
      { name: 'default', install: installDefaultPrimitives, step: workloads.decrypt() },
      { name: 'fast', install: installFastPrimitives, step: workloads.decrypt() },
      { name: 'core', install: installFastPrimitives, step: workloads.decrypt('core') },
      { name: 'floor', install: installFastPrimitives, step: workloads.decryptFloor() },
    ])
    const floor = results.floor!
    const coreCost = floor.perSecond / results.core!.perSecond
    targetRows.push(`receive within ${TARGET_FLOOR_RATIO}× the floor: ${ratio(coreCost)} ${mark(coreCost <= TARGET_FLOOR_RATIO)}`)
    rows.push([
      'decrypt + payload, 1 device',
      rate(results.default!.perSecond),
      rate(results.fast!.perSecond),
      rate(results.core!.perSecond),
      rate(floor.perSecond),
      '—',
      ratio(results.core!.perSecond / results.default!.perSecond),
      ratio(floor.perSecond / results.default!.perSecond),
      ratio(floor.perSecond / results.fast!.perSecond),
      '—',
      ratio(coreCost),
      `≤ ${TARGET_FLOOR_RATIO}× floor ${mark(coreCost <= TARGET_FLOOR_RATIO)}`,
    ])
  }

  const msRows: string[][] = [['', 'default ms', 'fast ms', 'fast speed-up', 'target']]
  {
    const results = await compare('session build', [
      { name: 'default', install: installDefaultPrimitives, step: workloads.buildSession() },
      { name: 'fast', install: installFastPrimitives, step: workloads.buildSession() },
    ])
    const fastMs = results.fast!.msPerIteration
    targetRows.push(`session build under ${TARGET_SESSION_MS} ms: ${fastMs.toFixed(2)} ms ${mark(fastMs < TARGET_SESSION_MS)}`)
    msRows.push([
      'session build: processPreKey + 1st encrypt + responder decrypt',
      results.default!.msPerIteration.toFixed(2),
      fastMs.toFixed(2),
      ratio(results.default!.msPerIteration / fastMs),
      `< ${TARGET_SESSION_MS} ms ${mark(fastMs < TARGET_SESSION_MS)}`,
    ])
  }
  {
    const results = await compare('ratchet round trip', [
      { name: 'default', install: installDefaultPrimitives, step: workloads.ratchetRoundTrip() },
      { name: 'fast', install: installFastPrimitives, step: workloads.ratchetRoundTrip() },
    ])
    msRows.push([
      'round trip with a DH ratchet step each way (2 msgs)',
      results.default!.msPerIteration.toFixed(2),
      results.fast!.msPerIteration.toFixed(2),
      ratio(results.default!.msPerIteration / results.fast!.msPerIteration),
      '',
    ])
  }

  installFastPrimitives()
  const mamMessages = Number(process.env.BENCH_MAM_MESSAGES ?? 10_000)
  let mamLine = 'skipped (BENCH_MAM_MESSAGES=0)'
  if (mamMessages > 0) {
    const mam = await measureMamCatchup(mamMessages)
    mamLine =
      `${rate(mam.messages / mam.seconds)} msg/s (${mam.messages} messages fetched, decrypted and stored in ${mam.seconds.toFixed(1)} s; target < 10 s ${mam.seconds < 10 ? '✓' : '✗'}); ` +
      `UI responsiveness during it: worst event-loop delay ${mam.maxLoopDelayMs.toFixed(0)} ms, worst contract call ${mam.maxCallLatencyMs.toFixed(0)} ms`
  }

  console.log('')
  console.log(table(rows))
  console.log('')
  console.log(table(msRows))
  console.log('')
  console.log(`MAM catch-up against real Prosody: ${mamLine}`)
  console.log('')
  console.log('Targets (reported, not asserted):')
  for (const line of targetRows) console.log(`  ${line}`)
  console.log('')
  console.log('floor = the same work on node:crypto alone: AES-128-GCM of the body, per device one chain-key step (2 HMACs),')
  console.log('HKDF-SHA256 to 80 bytes, AES-256-CBC of key‖tag, HMAC-SHA256 truncated to 8 bytes, base64 and the same stanza.')
  console.log('default = libsignal-protocol-typescript on its own primitives; fast = the same on ours (main/core/omemo/crypto);')
  console.log('core = what the app runs: OmemoSessionCipher (main/core/omemo/ratchet), the symmetric step on an established')
  console.log('chain done directly on the stored record, byte-identical to libsignal, on the fast primitives.')
  console.log('ceiling = libsignal with its symmetric crypto stubbed out (no work at all): the best ANY primitives could do')
  console.log('inside libsignal, i.e. the cost of its own bookkeeping (session-record JSON round trip, protobuf, promises).')
  console.log('encrypt = steady state on established sessions (symmetric ratchet step per message); x / floor = how many times')
  console.log(`the floor's cost. ${loadNote()}Finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
}

await main()
