import { randomBytes } from 'node:crypto'
import type { AccountDto } from '../../../preload/api.ts'
import { CoreError } from '../errors.ts'
import type { AccountRow } from '../store/repos/accounts-repo.ts'
import { toAccountDto } from './account-dto.ts'
import { AccountSession, type SessionDeps } from './account-session.ts'
import { verifyLogin } from './login-check.ts'

/** All accounts and their live sessions (multi-account: each account has its own connection). */
export class AccountRegistry {
  readonly #deps: Omit<SessionDeps, 'onStateChanged'>
  readonly #sessions = new Map<number, AccountSession>()
  /** Addresses whose login is being checked right now (add, update), and how to cancel that check. */
  readonly #checking = new Map<string, AbortController>()

  constructor(deps: Omit<SessionDeps, 'onStateChanged'>) {
    this.#deps = deps
  }

  /** Start a session for every enabled account (after unlocking the database). */
  startAll(): void {
    for (const row of this.#deps.store.accounts.list()) {
      if (row.enabled === 1) this.#sessionFor(row).start()
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((session) => session.stop()))
    this.#sessions.clear()
  }

  list(): AccountDto[] {
    return this.#deps.store.accounts.list().map((row) => toAccountDto(row, this.#sessions.get(row.id)))
  }

  /**
   * Adds an account only once a login with these settings worked (login-check.ts): a wrong password, an
   * unreachable server, a server without TLS or an untrusted certificate leave nothing behind. An untrusted
   * certificate the user compared and confirmed (`certificateFingerprint`) is pinned if the server presents it.
   */
  async add(input: { jid: string; password: string; host?: string; port?: number; certificateFingerprint?: string }): Promise<AccountDto> {
    this.#refuseDuplicate(input.jid)
    const settings = { jid: input.jid, password: input.password, host: input.host ?? null, port: input.port ?? null, pinnedCertificatePem: null }
    const pin = await this.#verify(input.jid, (signal) => verifyLogin(settings, input.certificateFingerprint, this.#checkOptions(signal)))
    this.#refuseDuplicate(input.jid) // added meanwhile (another window, a double click)
    const row = this.#deps.store.accounts.insert({
      jid: input.jid,
      password: input.password,
      // A resource of our own per installation, so our clients can tell each other apart (carbons).
      resource: `ciphermoon-${randomBytes(4).toString('hex')}`,
      host: settings.host,
      port: settings.port,
      createdAt: this.#deps.clock(),
    })
    if (pin) this.#deps.store.accounts.setPin(row.id, pin.dto.fingerprint, pin.pem)
    this.#sessionFor(row).start()
    return this.#dto(row.id)
  }

  /**
   * New password, host or port: saved (and the session reconnected with them) only once a login with them
   * worked, so a wrong password is refused with auth-failed and the settings that were stored stay.
   */
  async update(input: {
    accountId: number
    password?: string
    host?: string | null
    port?: number | null
    certificateFingerprint?: string
  }): Promise<AccountDto> {
    const row = this.#row(input.accountId)
    const connection = {
      password: input.password ?? row.password,
      host: input.host === undefined ? row.host : input.host,
      port: input.port === undefined ? row.port : input.port,
    }
    const settings = { jid: row.jid, ...connection, pinnedCertificatePem: row.pinned_cert_pem }
    const pin = await this.#verify(row.jid, (signal) => verifyLogin(settings, input.certificateFingerprint, this.#checkOptions(signal)))
    this.#row(row.id) // still there
    this.#deps.store.accounts.setConnection(row.id, connection)
    if (pin) this.#deps.store.accounts.setPin(row.id, pin.dto.fingerprint, pin.pem)
    if (row.enabled === 1) await this.#sessionFor(row).restart()
    return this.#dto(row.id)
  }

  /** "Retry now" on a running account: connect at once, backoff started over. */
  reconnect(accountId: number): AccountDto {
    const row = this.#row(accountId)
    if (row.enabled !== 1) throw new CoreError('conflict', `${row.jid} is disabled; enable it to connect`)
    this.#sessionFor(row).reconnectNow()
    return this.#dto(accountId)
  }

  async setEnabled(accountId: number, enabled: boolean): Promise<AccountDto> {
    const row = this.#row(accountId)
    this.#deps.store.accounts.setEnabled(accountId, enabled)
    const session = this.#sessionFor(row)
    if (enabled) await session.restart()
    else await session.stop('disabled')
    return this.#dto(accountId)
  }

  async remove(accountId: number): Promise<void> {
    this.#row(accountId)
    await this.#sessions.get(accountId)?.stop()
    this.#sessions.delete(accountId)
    this.#deps.store.accounts.remove(accountId)
    this.#deps.events.emit('accounts:removed', { accountId })
  }

  /** Pin the certificate the server presented, if it is the one the user saw, and reconnect. */
  async trustCertificate(accountId: number, fingerprint: string): Promise<AccountDto> {
    const row = this.#row(accountId)
    const presented = this.#sessions.get(accountId)?.untrustedCertificate
    if (!presented || presented.dto.fingerprint !== fingerprint) {
      throw new CoreError('conflict', 'That certificate is not the one the server presented; connect again and compare the fingerprint')
    }
    this.#deps.store.accounts.setPin(accountId, presented.dto.fingerprint, presented.pem)
    if (row.enabled === 1) await this.#sessionFor(row).restart()
    return this.#dto(accountId)
  }

  /** The live session of an account, for roster and chat calls. */
  session(accountId: number): AccountSession {
    const row = this.#row(accountId)
    return this.#sessionFor(row)
  }

  /**
   * The user cancelled the Add (or Save) whose login is being checked: it fails with 'cancelled' and saves
   * nothing, and a new check of that address may start at once (the cancelled one can no longer save).
   */
  cancelLogin(jid: string): void {
    this.#checking.get(jid)?.abort()
    this.#checking.delete(jid)
  }

  /**
   * One login check per address at a time: a second Add or Save while one runs is refused, not raced. A check
   * cancelled meanwhile fails with 'cancelled' even if the login worked, so the caller saves nothing.
   */
  async #verify<T>(jid: string, check: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#checking.has(jid)) throw new CoreError('conflict', `The login of ${jid} is being checked already`)
    const controller = new AbortController()
    this.#checking.set(jid, controller)
    const cancelled = () => new CoreError('cancelled', `Adding or changing ${jid} was cancelled`)
    try {
      const result = await check(controller.signal)
      if (controller.signal.aborted) throw cancelled()
      return result
    } catch (error) {
      throw controller.signal.aborted ? cancelled() : error
    } finally {
      if (this.#checking.get(jid) === controller) this.#checking.delete(jid)
    }
  }

  #checkOptions(signal: AbortSignal) {
    return { extraCaCertificates: this.#deps.extraCaCertificates, signal }
  }

  #refuseDuplicate(jid: string): void {
    if (this.#deps.store.accounts.getByJid(jid)) throw new CoreError('conflict', `${jid} is already added`)
  }

  #sessionFor(row: AccountRow): AccountSession {
    let session = this.#sessions.get(row.id)
    if (!session) {
      session = new AccountSession(row, { ...this.#deps, onStateChanged: (id) => this.#announce(id) })
      this.#sessions.set(row.id, session)
    }
    return session
  }

  #announce(accountId: number): void {
    const row = this.#deps.store.accounts.get(accountId)
    if (row) this.#deps.events.emit('accounts:changed', toAccountDto(row, this.#sessions.get(accountId)))
  }

  #dto(accountId: number): AccountDto {
    return toAccountDto(this.#row(accountId), this.#sessions.get(accountId))
  }

  #row(accountId: number): AccountRow {
    const row = this.#deps.store.accounts.get(accountId)
    if (!row) throw new CoreError('not-found', `No account with id ${accountId}`)
    return row
  }
}
