import { randomBytes } from 'node:crypto'
import type { AccountDto } from '../../../preload/api.ts'
import { CoreError } from '../errors.ts'
import type { AccountRow } from '../store/repos/accounts-repo.ts'
import { toAccountDto } from './account-dto.ts'
import { AccountSession, type SessionDeps } from './account-session.ts'

/** All accounts and their live sessions (multi-account: each account has its own connection). */
export class AccountRegistry {
  readonly #deps: Omit<SessionDeps, 'onStateChanged'>
  readonly #sessions = new Map<number, AccountSession>()

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

  add(input: { jid: string; password: string; host?: string; port?: number }): AccountDto {
    if (this.#deps.store.accounts.getByJid(input.jid)) throw new CoreError('conflict', `${input.jid} is already added`)
    const row = this.#deps.store.accounts.insert({
      jid: input.jid,
      password: input.password,
      // A resource of our own per installation, so our clients can tell each other apart (carbons).
      resource: `ciphermoon-${randomBytes(4).toString('hex')}`,
      host: input.host ?? null,
      port: input.port ?? null,
      createdAt: this.#deps.clock(),
    })
    this.#sessionFor(row).start()
    return this.#dto(row.id)
  }

  async update(input: { accountId: number; password?: string; host?: string | null; port?: number | null }): Promise<AccountDto> {
    const row = this.#row(input.accountId)
    this.#deps.store.accounts.setConnection(row.id, {
      password: input.password ?? row.password,
      host: input.host === undefined ? row.host : input.host,
      port: input.port === undefined ? row.port : input.port,
    })
    if (row.enabled === 1) await this.#sessionFor(row).restart()
    return this.#dto(row.id)
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
