/**
 * The unread total across all accounts, shown as the dock/launcher badge (macOS, Linux Unity launchers
 * through `app.setBadgeCount`) and on Windows as a dot over the taskbar button (`setOverlayIcon`).
 *
 * `UnreadCounts` keeps the unread count per account + conversation: seeded from `conversations:list` of
 * each account, then kept current by `conversations:changed`. Pure; `trackUnread` feeds it from the core.
 */
import type { App, BrowserWindow, NativeImage } from 'electron'
import type { ConversationDto } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'

type UnreadEntry = Pick<ConversationDto, 'accountId' | 'peer' | 'unread'>

export class UnreadCounts {
  readonly #byAccount = new Map<number, Map<string, number>>()
  /** Conversations an event reported since the last clear: newer than any list fetched meanwhile. */
  readonly #fromEvents = new Set<string>()

  /** The account's conversations as listed. Entries an event already reported keep the event's count. */
  seedAccount(accountId: number, conversations: readonly UnreadEntry[]): void {
    for (const conversation of conversations) {
      if (conversation.accountId !== accountId || this.#fromEvents.has(key(conversation))) continue
      this.#set(conversation)
    }
  }

  apply(conversation: UnreadEntry): void {
    this.#fromEvents.add(key(conversation))
    this.#set(conversation)
  }

  removeAccount(accountId: number): void {
    this.#byAccount.delete(accountId)
    for (const entry of [...this.#fromEvents]) if (entry.startsWith(`${accountId} `)) this.#fromEvents.delete(entry)
  }

  clear(): void {
    this.#byAccount.clear()
    this.#fromEvents.clear()
  }

  get total(): number {
    let total = 0
    for (const peers of this.#byAccount.values()) for (const unread of peers.values()) total += unread
    return total
  }

  #set(conversation: UnreadEntry): void {
    const unread = Number.isInteger(conversation.unread) && conversation.unread > 0 ? conversation.unread : 0
    let peers = this.#byAccount.get(conversation.accountId)
    if (!peers) {
      peers = new Map()
      this.#byAccount.set(conversation.accountId, peers)
    }
    if (unread === 0) peers.delete(conversation.peer)
    else peers.set(conversation.peer, unread)
  }
}

function key(conversation: Pick<ConversationDto, 'accountId' | 'peer'>): string {
  return `${conversation.accountId} ${conversation.peer}`
}

/**
 * Keeps `counts` current from the core and reports each new total. Seeds now (when the database is open)
 * and again whenever the app becomes ready; clears when it locks. Returns an unsubscribe.
 */
export function trackUnread(core: Pick<Core, 'subscribe' | 'request'>, onTotal: (total: number) => void, counts = new UnreadCounts()): () => void {
  let reported = -1
  let ready = false
  let generation = 0
  const report = (): void => {
    if (counts.total === reported) return
    reported = counts.total
    onTotal(reported)
  }
  const seedAccount = async (accountId: number, seededIn: number): Promise<void> => {
    const conversations = await core.request('conversations:list', { accountId })
    if (seededIn !== generation) return
    counts.seedAccount(accountId, conversations)
    report()
  }
  const seedAll = async (): Promise<void> => {
    const seededIn = generation
    const accounts = await core.request('accounts:list', {})
    await Promise.all(accounts.map((account) => seedAccount(account.id, seededIn)))
  }
  const seed = (): void => {
    void seedAll().catch((error: unknown) => {
      // 'locked' before the passphrase is entered: the 'app:changed' to ready seeds again.
      if ((error as { code?: unknown } | null)?.code !== 'locked') console.warn('[shell] could not count unread messages:', error)
    })
  }

  const unsubscribe = core.subscribe((envelope) => {
    if (envelope.event === 'conversations:changed') counts.apply(envelope.payload)
    else if (envelope.event === 'accounts:removed') counts.removeAccount(envelope.payload.accountId)
    else if (envelope.event === 'app:changed') {
      const nowReady = envelope.payload.phase === 'ready'
      if (nowReady !== ready) {
        generation++
        counts.clear()
        if (nowReady) seed()
      }
      ready = nowReady
    } else return
    report()
  })
  report()
  seed()
  return unsubscribe
}

export interface BadgePlan {
  /** For `app.setBadgeCount` (macOS dock, Linux Unity launchers); null where it does nothing (Windows). */
  badgeCount: number | null
  /** Windows: show the dot overlay on the taskbar button (false: remove it). */
  overlay: boolean
  /** Windows reads this out for the overlay. */
  overlayDescription: string
}

export function badgePlan(total: number, platform: NodeJS.Platform): BadgePlan {
  const overlayDescription = total === 1 ? '1 unread message' : `${total} unread messages`
  if (platform === 'win32') return { badgeCount: null, overlay: total > 0, overlayDescription }
  return { badgeCount: total, overlay: false, overlayDescription }
}

/**
 * A filled circle as a BGRA bitmap (Electron's `nativeImage.createFromBitmap`), edges anti-aliased.
 * Drawn in code because only resources/icon.png is packaged (build/electron-builder.yml).
 */
export function dotBitmap(size = 16, color: { r: number; g: number; b: number } = { r: 0xe5, g: 0x3e, b: 0x3e }): Buffer {
  const pixels = Buffer.alloc(size * size * 4)
  const centre = size / 2
  const radius = size / 2 - 0.5
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const distance = Math.hypot(x + 0.5 - centre, y + 0.5 - centre)
      const coverage = Math.max(0, Math.min(1, radius - distance + 0.5))
      const offset = (y * size + x) * 4
      // Premultiplied BGRA, as Skia expects.
      pixels[offset] = Math.round(color.b * coverage)
      pixels[offset + 1] = Math.round(color.g * coverage)
      pixels[offset + 2] = Math.round(color.r * coverage)
      pixels[offset + 3] = Math.round(255 * coverage)
    }
  }
  return pixels
}

/** The parts of Electron the badge touches. */
export interface BadgeTargets {
  app: Pick<App, 'setBadgeCount'>
  /** The main window, when there is one (Windows overlay). */
  window: Pick<BrowserWindow, 'setOverlayIcon'> | null
  /** The overlay image (made from `dotBitmap`, Windows only), created once by the caller. */
  dot: NativeImage | null
}

export function applyBadge(total: number, platform: NodeJS.Platform, targets: BadgeTargets): void {
  const plan = badgePlan(total, platform)
  if (plan.badgeCount !== null) targets.app.setBadgeCount(plan.badgeCount)
  if (platform === 'win32' && targets.window) {
    targets.window.setOverlayIcon(plan.overlay ? targets.dot : null, plan.overlay ? plan.overlayDescription : '')
  }
}
