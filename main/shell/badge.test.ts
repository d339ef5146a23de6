import type { NativeImage } from 'electron'
import { describe, expect, it } from 'vitest'
import type { AccountDto, ConversationDto, EventEnvelope } from '../../preload/api.ts'
import { applyBadge, badgePlan, dotBitmap, trackUnread, UnreadCounts } from './badge.ts'

function conversation(accountId: number, peer: string, unread: number): ConversationDto {
  const none = { total: 0, usable: 0, undecided: 0, distrusted: 0, inactive: 0 }
  return { accountId, peer, unread, lastMessage: null, omemo: false, encryption: { choice: false, next: 'plain', contact: none, ownOther: none }, draft: '' }
}

describe('UnreadCounts', () => {
  it('sums the unread counts of every conversation of every account', () => {
    const counts = new UnreadCounts()
    counts.seedAccount(1, [conversation(1, 'a@x.org', 2), conversation(1, 'b@x.org', 0)])
    counts.seedAccount(2, [conversation(2, 'a@x.org', 3)])
    expect(counts.total).toBe(5)
    counts.apply(conversation(1, 'a@x.org', 0))
    expect(counts.total).toBe(3)
    counts.apply(conversation(1, 'c@x.org', 4))
    expect(counts.total).toBe(7)
    counts.removeAccount(2)
    expect(counts.total).toBe(4)
    counts.clear()
    expect(counts.total).toBe(0)
  })

  it('lets an event win over a list fetched before it', () => {
    const counts = new UnreadCounts()
    counts.apply(conversation(1, 'a@x.org', 1))
    counts.seedAccount(1, [conversation(1, 'a@x.org', 5), conversation(1, 'b@x.org', 1)])
    expect(counts.total).toBe(2)
  })

  it('ignores entries of other accounts and nonsense counts', () => {
    const counts = new UnreadCounts()
    counts.seedAccount(1, [conversation(2, 'a@x.org', 2), conversation(1, 'b@x.org', -3), conversation(1, 'c@x.org', Number.NaN)])
    expect(counts.total).toBe(0)
  })
})

function account(id: number): AccountDto {
  return {
    id,
    jid: `u${id}@x.org`,
    enabled: true,
    host: null,
    port: null,
    state: 'online',
    error: null,
    untrustedCertificate: null,
    pinnedFingerprint: null,
    syncing: false,
    lastSyncedAt: null,
  }
}

function fakeCore(lists: Record<number, ConversationDto[]>, state: { locked: boolean }) {
  const listeners = new Set<(envelope: EventEnvelope) => void>()
  return {
    emit: (envelope: EventEnvelope) => listeners.forEach((listener) => listener(envelope)),
    subscribe(listener: (envelope: EventEnvelope) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    request: (async (method: string, params: { accountId?: number }) => {
      if (state.locked) throw Object.assign(new Error('locked'), { code: 'locked' })
      if (method === 'accounts:list') return Object.keys(lists).map((id) => account(Number(id)))
      return lists[params.accountId!] ?? []
    }) as never,
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('trackUnread', () => {
  it('seeds from every account, follows the events, and reports only changes', async () => {
    const core = fakeCore({ 1: [conversation(1, 'a@x.org', 2)], 2: [conversation(2, 'b@x.org', 1)] }, { locked: false })
    const totals: number[] = []
    const stop = trackUnread(core, (total) => totals.push(total))
    await flush()
    expect(totals.at(-1)).toBe(3)
    core.emit({ event: 'conversations:changed', payload: conversation(1, 'a@x.org', 0) })
    core.emit({ event: 'messages:received', payload: {} as never })
    expect(totals.at(-1)).toBe(1)
    core.emit({ event: 'accounts:removed', payload: { accountId: 2 } })
    expect(totals.slice(-3)).toEqual([3, 1, 0])
    stop()
    core.emit({ event: 'conversations:changed', payload: conversation(1, 'a@x.org', 9) })
    expect(totals.at(-1)).toBe(0)
  })

  it('waits for the unlock, and clears when the app locks', async () => {
    const state = { locked: true }
    const core = fakeCore({ 1: [conversation(1, 'a@x.org', 4)] }, state)
    const totals: number[] = []
    trackUnread(core, (total) => totals.push(total))
    await flush()
    expect(totals).toEqual([0])
    state.locked = false
    core.emit({ event: 'app:changed', payload: { phase: 'ready', databaseExists: true, keyProtection: 'passphrase' } })
    await flush()
    expect(totals.at(-1)).toBe(4)
    core.emit({ event: 'app:changed', payload: { phase: 'locked', databaseExists: true, keyProtection: 'passphrase' } })
    expect(totals.at(-1)).toBe(0)
  })
})

describe('badgePlan / applyBadge', () => {
  it('uses the badge count on macOS and Linux, the overlay dot on Windows', () => {
    expect(badgePlan(3, 'darwin')).toMatchObject({ badgeCount: 3, overlay: false })
    expect(badgePlan(0, 'linux')).toMatchObject({ badgeCount: 0, overlay: false })
    expect(badgePlan(1, 'win32')).toEqual({ badgeCount: null, overlay: true, overlayDescription: '1 unread message' })
    expect(badgePlan(0, 'win32').overlay).toBe(false)
  })

  it('calls the Electron pieces accordingly', () => {
    const calls: unknown[][] = []
    const dot = { dot: true } as unknown as NativeImage
    const targets = {
      app: { setBadgeCount: (count?: number) => (calls.push(['badge', count]), true) },
      window: { setOverlayIcon: (image: NativeImage | null, description: string) => void calls.push(['overlay', image, description]) },
      dot,
    }
    applyBadge(2, 'darwin', targets)
    applyBadge(2, 'win32', targets)
    applyBadge(0, 'win32', targets)
    applyBadge(5, 'win32', { ...targets, window: null })
    expect(calls).toEqual([
      ['badge', 2],
      ['overlay', dot, '2 unread messages'],
      ['overlay', null, ''],
    ])
  })
})

describe('dotBitmap', () => {
  it('is an opaque circle on a transparent square (BGRA)', () => {
    const size = 16
    const pixels = dotBitmap(size)
    expect(pixels).toHaveLength(size * size * 4)
    const alpha = (x: number, y: number) => pixels[(y * size + x) * 4 + 3]
    expect(alpha(8, 8)).toBe(255)
    expect(alpha(0, 0)).toBe(0)
    expect(alpha(15, 15)).toBe(0)
    expect(pixels[(8 * size + 8) * 4 + 2]).toBe(0xe5) // red channel
  })
})
