/** Helpers for `xmpp:` links the operating system handed to the app (see `app:uriOpened`). */
import type { AccountDto } from '../../../preload/api.ts'

/**
 * The account a link is opened with: the one it names (`accountId`, from a notification click) if it
 * still exists, else the one of that address (a link to verify our own other device), else the selected
 * account when it is online, else the first online one, else the selected one.
 */
export function accountForLink(accounts: readonly AccountDto[], selectedId: number | null, jid?: string, accountId?: number): AccountDto | null {
  const named = accountId === undefined ? undefined : accounts.find((account) => account.id === accountId)
  if (named) return named
  const own = jid === undefined ? undefined : accounts.find((account) => account.jid === jid)
  if (own) return own
  const selected = accounts.find((account) => account.id === selectedId)
  if (selected?.state === 'online') return selected
  return accounts.find((account) => account.state === 'online') ?? selected ?? accounts[0] ?? null
}

/** 64 hex digits in the groups of 8 the device panel shows. */
export function groupFingerprint(hex: string): string {
  return hex.match(/.{1,8}/gu)?.join(' ') ?? hex
}
