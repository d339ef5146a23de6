#!/usr/bin/env node
/**
 * `npm test`: runs vitest once over all projects (tests/vitest.config.ts), writes a JSON report to
 * test-output/, and ends with one line of exactly the form `N passed, N failed`.
 *
 * Strict on purpose, because CI allows no skipped tests: skipped and todo tests count as failed,
 * a file that errors outside its tests counts as at least one failure, an error that makes vitest
 * exit non-zero counts as at least one failure, and a run with zero tests fails.
 *
 * Extra arguments go to vitest: `npm test -- --project unit`, `npm test -- tests/integration/foo.test.ts`.
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const MINIMUM_NODE_MAJOR = 24
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const reportFile = join(repositoryRoot, 'test-output', 'vitest-results.json')
const vitestEntry = join(repositoryRoot, 'node_modules', 'vitest', 'vitest.mjs')

const nodeMajor = Number(process.versions.node.split('.')[0])
if (nodeMajor < MINIMUM_NODE_MAJOR) {
  console.error(
    `tests/run.mjs needs Node ${MINIMUM_NODE_MAJOR}+ (this is ${process.version}); ` +
      'run it through `npm test`, which uses the Node from node_modules/.bin.',
  )
  process.exit(1)
}

await mkdir(dirname(reportFile), { recursive: true })
await rm(reportFile, { force: true }) // never count a previous run's results

const vitestExitCode = await runVitest(process.argv.slice(2))
const summary = await summarise(vitestExitCode)

for (const problem of summary.problems) console.log(`FAILED: ${problem}`)
if (summary.passed + summary.failed === 0) console.log('FAILED: no tests ran')
console.log(`${summary.passed} passed, ${summary.failed} failed`)
process.exitCode = summary.failed === 0 && summary.passed > 0 ? 0 : 1

/** @param {string[]} extraArguments @returns {Promise<number>} */
function runVitest(extraArguments) {
  const args = [
    vitestEntry,
    'run',
    '--config', join('tests', 'vitest.config.ts'),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${relative(repositoryRoot, reportFile)}`,
    ...extraArguments,
  ]
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: 'inherit' })
  const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`Could not start vitest: ${error.message}`)
      resolve(1)
    })
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      resolve(code ?? (signal ? 128 : 1))
    })
  })
}

/**
 * @param {number} vitestExitCode
 * @returns {Promise<{ passed: number, failed: number, problems: string[] }>}
 */
async function summarise(vitestExitCode) {
  let passed = 0
  let failed = 0
  /** @type {string[]} */
  const problems = []
  let report
  try {
    report = JSON.parse(await readFile(reportFile, 'utf8'))
  } catch (error) {
    problems.push(`no readable JSON report at ${reportFile} (${error instanceof Error ? error.message : error})`)
    return { passed, failed: 1, problems }
  }

  for (const file of report.testResults ?? []) {
    const fileName = relative(repositoryRoot, file.name ?? '(unknown file)')
    let failedInFile = 0
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed') {
        passed += 1
      } else if (test.status === 'failed') {
        failed += 1
        failedInFile += 1
      } else {
        failed += 1
        problems.push(`${fileName} > ${test.fullName}: ${test.status} (skipped or todo tests are not allowed in CI)`)
      }
    }
    if (file.status === 'failed' && failedInFile === 0) {
      failed += 1
      problems.push(`${fileName}: ${firstLine(file.message) || 'the file failed outside its tests'}`)
    }
  }

  if (vitestExitCode !== 0 && failed === 0) {
    failed = 1
    problems.push(`vitest exited with code ${vitestExitCode} (an unhandled error, or no test files matched)`)
  }
  return { passed, failed, problems }
}

/** @param {unknown} text */
function firstLine(text) {
  return typeof text === 'string' ? (text.split('\n')[0] ?? '').trim() : ''
}
