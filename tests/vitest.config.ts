/**
 * Vitest projects: `unit` (beside the code), `integration` (real Prosody, python-omemo interop) and
 * `e2e` (browser mode in Debian's Chromium). Run through `npm test` (tests/run.mjs), which adds the
 * JSON report and the final "N passed, N failed" line.
 */
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

const repositoryRoot = resolve(import.meta.dirname, '..')

/** Real servers and browsers: generous, but bounded, so a hang fails instead of stalling CI. */
const slowTestTimeouts = { testTimeout: 60_000, hookTimeout: 120_000 }

export default defineConfig({
  root: repositoryRoot,
  test: {
    pool: 'forks',
    maxWorkers: 2, // 2 cores; each integration file also runs its own Prosody
    teardownTimeout: 30_000,
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'build/**/*.test.ts', '.ci/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['tests/integration/**/*.test.ts', 'tests/interop/**/*.test.ts'],
          ...slowTestTimeouts,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          ...slowTestTimeouts,
        },
      },
    ],
  },
})
