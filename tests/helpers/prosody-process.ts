/**
 * One running `prosody -F` child: spawn, readiness (a real XMPP stream answer, not a sleep), stop by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { fileSize, readFrom, tailOf } from './log-file.ts'
import { guardAgainstOrphan } from './orphan-guard.ts'
import { answersXmppStream } from './raw-xmpp.ts'
import { waitFor } from './wait.ts'

export interface ProsodyProcessFiles {
  configFile: string
  logFile: string
  /** Prosody's own stdout/stderr (startup errors before logging is configured land here). */
  consoleFile: string
}

export interface ProsodyEndpoint {
  host: string
  port: number
  domain: string
}

const READY_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 10_000
const LOG_TAIL_LINES = 60

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export class ProsodyProcess {
  readonly #child: ChildProcess
  readonly #exited: Promise<Exit>
  #stopping: Promise<void> | undefined

  private constructor(child: ChildProcess, exited: Promise<Exit>) {
    this.#child = child
    this.#exited = exited
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Spawns Prosody in the foreground and resolves once it answers an XMPP stream on `endpoint`. */
  static async start(files: ProsodyProcessFiles, endpoint: ProsodyEndpoint): Promise<ProsodyProcess> {
    const logOffset = await fileSize(files.logFile)
    const consoleFd = openSync(files.consoleFile, 'a')
    let child: ChildProcess
    try {
      child = spawn('prosody', ['--config', files.configFile, '-F'], {
        stdio: ['ignore', consoleFd, consoleFd],
        detached: false,
      })
    } finally {
      closeSync(consoleFd)
    }
    const spawned = await spawnOutcome(child)
    if (spawned instanceof Error) throw new Error(`Could not start prosody: ${spawned.message}`, { cause: spawned })

    child.on('error', () => undefined) // a failed kill() must not crash the test process
    const guard = guardAgainstOrphan(child)
    const startupFailed = new AbortController()
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        guard.release()
        startupFailed.abort(new Error(`prosody exited during startup (code ${code}, signal ${signal})`))
        resolve({ code, signal })
      })
    })
    const prosody = new ProsodyProcess(child, exited)
    try {
      await waitFor(() => isReady(files.logFile, logOffset, endpoint, startupFailed), {
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 100,
        description: `prosody (pid ${child.pid}) to serve XMPP on ${endpoint.host}:${endpoint.port}`,
        signal: startupFailed.signal,
      })
    } catch (error) {
      await prosody.stop()
      throw new Error(`${describe(error)}\n${await diagnostics(files)}`, { cause: error })
    }
    return prosody
  }

  /** SIGTERM by PID, wait for the exit, SIGKILL after a grace period. Safe to call repeatedly. */
  stop(): Promise<void> {
    this.#stopping ??= this.#terminate()
    return this.#stopping
  }

  async #terminate(): Promise<void> {
    if (!this.running) return
    this.#child.kill('SIGTERM')
    let graceTimer: NodeJS.Timeout | undefined
    const graceOver = new Promise<'grace-over'>((resolve) => {
      graceTimer = setTimeout(() => resolve('grace-over'), STOP_GRACE_MS)
    })
    const outcome = await Promise.race([this.#exited, graceOver])
    clearTimeout(graceTimer)
    if (outcome === 'grace-over') {
      this.#child.kill('SIGKILL')
      await this.#exited
    }
  }
}

/** Ready = this run's log shows the c2s listener bound, and the port answers a stream header. */
async function isReady(
  logFile: string,
  logOffset: number,
  endpoint: ProsodyEndpoint,
  startupFailed: AbortController,
): Promise<boolean> {
  const log = await readFrom(logFile, logOffset)
  const bindFailure = /Failed to open server port.*|Error binding.*/u.exec(log)
  if (bindFailure) {
    startupFailed.abort(new Error(`prosody could not listen: ${bindFailure[0]}`))
    return false
  }
  if (!log.includes(`Added listening service c2s to [${endpoint.host}]:${endpoint.port}`)) return false
  return answersXmppStream(endpoint.host, endpoint.port, endpoint.domain)
}

function spawnOutcome(child: ChildProcess): Promise<Error | 'spawned'> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve('spawned'))
    child.once('error', (error) => resolve(error))
  })
}

async function diagnostics(files: ProsodyProcessFiles): Promise<string> {
  return [
    `--- tail of ${files.logFile} ---`,
    await tailOf(files.logFile, LOG_TAIL_LINES),
    `--- tail of ${files.consoleFile} ---`,
    await tailOf(files.consoleFile, LOG_TAIL_LINES),
  ].join('\n')
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
