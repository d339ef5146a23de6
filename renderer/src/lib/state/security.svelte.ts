import type { EventPayloads } from '../../../../preload/api.ts'

export interface SecurityWarning {
  id: number
  accountId: number
  jid: string
  deviceId: number | null
  message: string
  at: number
}

/** `security:warning` events, kept until the user dismisses them (never on a timer). */
export class SecurityWarningsState {
  list = $state.raw<SecurityWarning[]>([])

  #nextId = 1

  forAccount(accountId: number): SecurityWarning[] {
    return this.list.filter((warning) => warning.accountId === accountId)
  }

  count(accountId: number): number {
    return this.list.reduce((sum, warning) => sum + (warning.accountId === accountId ? 1 : 0), 0)
  }

  /** A warning already shown (same account, address, device and text) is not repeated. */
  add(payload: EventPayloads['security:warning']): void {
    const same = (warning: SecurityWarning) =>
      warning.accountId === payload.accountId &&
      warning.jid === payload.jid &&
      warning.deviceId === payload.deviceId &&
      warning.message === payload.message
    if (this.list.some(same)) return
    this.list = [...this.list, { ...payload, id: this.#nextId++, at: Date.now() }]
  }

  dismiss(id: number): void {
    this.list = this.list.filter((warning) => warning.id !== id)
  }

  forgetAccount(accountId: number): void {
    this.list = this.list.filter((warning) => warning.accountId !== accountId)
  }

  clear(): void {
    this.list = []
  }
}
