/**
 * A throwaway real Prosody per test file: own temp dir, own throwaway CA, c2s on an ephemeral
 * loopback port, STARTTLS required. Call `dispose()` from afterAll.
 *
 *   const server = await startProsody({ users: [{ username: 'alice', password: 'pw' }] })
 *   afterAll(() => server.dispose())
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort } from './free-port.ts'
import { tailOf } from './log-file.ts'
import { renderProsodyConfig } from './prosody-config.ts'
import { ProsodyProcess } from './prosody-process.ts'
import { runCommand } from './run-command.ts'
import { createTestCertificates } from './test-certificates.ts'

export interface ProsodyUser {
  username: string
  password: string
}

export interface StartProsodyOptions {
  /** Accounts registered before the server starts. */
  users?: ProsodyUser[]
  /** The VirtualHost and the certificate's DNS name; default 'localhost'. */
  domain?: string
  /** Where mod_mam keeps archives: Prosody's internal files (default) or SQLite (needs lua-dbi-sqlite3),
   *  as production servers do; internal storage re-reads the whole archive for every page. */
  archiveStorage?: 'internal' | 'sql'
}

export interface ProsodyServer {
  readonly domain: string
  readonly host: '127.0.0.1'
  /** The c2s port (STARTTLS); stays the same across stop()/start(). */
  readonly port: number
  /** PEM of the throwaway CA that issued the server certificate (SAN DNS:<domain>). */
  readonly caPem: string
  readonly dataDir: string
  /** Prosody's debug log: every stanza of the run, for diagnosing a failed test. */
  readonly logFile: string
  readonly configFile: string
  /** PID of the running prosody, undefined while stopped. */
  readonly pid: number | undefined
  /** Starts again on the same port and data after stop(). No-op when running. */
  start(): Promise<void>
  /** SIGTERM by PID and waits for the exit (SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>
  /** stop() and remove the temp dir. Idempotent. */
  dispose(): Promise<void>
  /** Creates an account (prosodyctl register), whether the server runs or not. */
  register(username: string, password: string): Promise<void>
  /** `username@domain` */
  jid(username: string): string
  /** Last lines of the debug log, e.g. to print when an assertion fails. */
  logTail(lineCount?: number): Promise<string>
}

const HOST = '127.0.0.1'
const DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/u
const USERNAME_PATTERN = /^[a-z0-9._-]+$/u

export async function startProsody(options: StartProsodyOptions = {}): Promise<ProsodyServer> {
  const domain = options.domain ?? 'localhost'
  if (!DOMAIN_PATTERN.test(domain)) throw new Error(`Not a usable test domain: ${domain}`)
  const directory = await mkdtemp(join(tmpdir(), 'prosody-test-'))
  const server = new ThrowawayProsody(directory, domain, options.archiveStorage ?? 'internal')
  try {
    await server.prepare()
    for (const user of options.users ?? []) await server.register(user.username, user.password)
    await server.start()
  } catch (error) {
    await server.dispose()
    throw error
  }
  return server
}

class ThrowawayProsody implements ProsodyServer {
  readonly host = HOST
  readonly domain: string
  readonly dataDir: string
  readonly logFile: string
  readonly configFile: string
  readonly #directory: string
  readonly #consoleFile: string
  #port: number | undefined
  #caPem: string | undefined
  #process: ProsodyProcess | undefined
  #disposed = false
  readonly #archiveStorage: 'internal' | 'sql'

  constructor(directory: string, domain: string, archiveStorage: 'internal' | 'sql') {
    this.#archiveStorage = archiveStorage
    this.#directory = directory
    this.domain = domain
    this.dataDir = join(directory, 'data')
    this.logFile = join(directory, 'prosody.log')
    this.configFile = join(directory, 'prosody.cfg.lua')
    this.#consoleFile = join(directory, 'prosody-console.log')
  }

  get port(): number {
    if (this.#port === undefined) throw new Error('prosody is not prepared yet')
    return this.#port
  }

  get caPem(): string {
    if (this.#caPem === undefined) throw new Error('prosody is not prepared yet')
    return this.#caPem
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined
  }

  /** Certificates, directories, a free port and the config file. */
  async prepare(): Promise<void> {
    const certificatesDir = join(this.#directory, 'certs')
    await mkdir(this.dataDir)
    await mkdir(certificatesDir)
    const certificates = await createTestCertificates(this.#directory, this.domain)
    this.#caPem = certificates.caPem
    this.#port = await findFreePort(HOST)
    const config = renderProsodyConfig({
      domain: this.domain,
      c2sPort: this.#port,
      dataDir: this.dataDir,
      certificatesDir,
      pidFile: join(this.#directory, 'prosody.pid'),
      logFile: this.logFile,
      serverKeyFile: certificates.serverKeyFile,
      serverCertificateFile: certificates.serverCertificateFile,
      runAsRoot: process.getuid?.() === 0,
      archiveStorage: this.#archiveStorage,
    })
    await writeFile(this.configFile, config)
  }

  async start(): Promise<void> {
    if (this.#disposed) throw new Error('prosody was disposed')
    if (this.#process?.running) return
    this.#process = await ProsodyProcess.start(
      { configFile: this.configFile, logFile: this.logFile, consoleFile: this.#consoleFile },
      { host: this.host, port: this.port, domain: this.domain },
    )
  }

  async stop(): Promise<void> {
    await this.#process?.stop()
  }

  async dispose(): Promise<void> {
    await this.stop()
    if (this.#disposed) return
    this.#disposed = true
    await rm(this.#directory, { recursive: true, force: true })
  }

  async register(username: string, password: string): Promise<void> {
    if (!USERNAME_PATTERN.test(username)) throw new Error(`Not a usable test username: ${username}`)
    await runCommand('prosodyctl', ['--config', this.configFile, 'register', username, this.domain, password])
  }

  jid(username: string): string {
    return `${username}@${this.domain}`
  }

  logTail(lineCount = 80): Promise<string> {
    return tailOf(this.logFile, lineCount)
  }
}
