import type { Element } from '@xmpp/xml'
import { bareJid } from '../xmpp/jid.ts'
import type { OmemoContext } from './omemo-context.ts'
import { trustForNewDevice } from './omemo-context.ts'
import { fetchItem, notificationPayload, publishOpen } from './pep.ts'
import { DEVICE_LIST_NODE, deviceListElement, parseDeviceList } from './protocol/legacy.ts'

const LIST_CACHE_MS = 5 * 60 * 1000

/**
 * Device lists (XEP-0384 §4.2) of contacts and of ourselves: cached in the store, updated from PEP
 * notifications and fetched on demand. Devices that leave a list are kept (their messages stay
 * attributable) but marked inactive.
 */
export class DeviceLists {
  readonly #context: OmemoContext
  /** When each list was last fetched or pushed during this connection. */
  readonly #fetchedAt = new Map<string, number>()

  constructor(context: OmemoContext) {
    this.#context = context
  }

  /** A PEP notification; returns the owner whose list changed, or null if it was not a device list. */
  handleNotification(message: Element): { jid: string; ids: number[] } | null {
    const payload = notificationPayload(message, DEVICE_LIST_NODE)
    if (payload === undefined) return null
    // XEP-0163 §4.3: PEP events come from the owner's bare JID; ours may come without a from.
    const owner = bareJid(message.attrs.from) ?? this.#context.link.ownBareJid
    if (message.attrs.from !== undefined && message.attrs.from.includes('/')) return null
    const ids = parseDeviceList(payload ?? undefined)
    this.apply(owner, ids)
    return { jid: owner, ids }
  }

  /**
   * Fetch a list unless it was fetched or pushed recently during this connection (or `force`). Lists of
   * contacts who share presence are pushed (+notify); for others the cache expires after a while.
   */
  async fetch(jid: string, force = false): Promise<number[]> {
    const fetchedAt = this.#fetchedAt.get(jid)
    if (!force && fetchedAt !== undefined && this.#context.clock() - fetchedAt < LIST_CACHE_MS) return this.activeIds(jid)
    const payload = await fetchItem(this.#context.link, jid, DEVICE_LIST_NODE)
    const ids = parseDeviceList(payload ?? undefined)
    this.apply(jid, ids)
    return ids
  }

  activeIds(jid: string): number[] {
    return this.#context.store.omemo
      .devices(this.#context.link.accountId, jid)
      .filter((device) => device.active === 1)
      .map((device) => device.device_id)
  }

  /** Publish our own list with `ids` (item `current`, open access). */
  async publishOwn(ids: readonly number[]): Promise<void> {
    await publishOpen(this.#context.link, DEVICE_LIST_NODE, deviceListElement(ids))
    this.apply(this.#context.link.ownBareJid, [...ids])
  }

  /** Connection lost: lists may change while we are away, fetch again next time. */
  forgetFetched(): void {
    this.#fetchedAt.clear()
  }

  apply(jid: string, ids: readonly number[]): void {
    const { store, link, clock, events } = this.#context
    this.#fetchedAt.set(jid, clock())
    const listed = new Set(ids)
    let changed = false
    for (const device of store.omemo.devices(link.accountId, jid)) {
      const active = listed.has(device.device_id) ? 1 : 0
      if (device.active !== active) {
        store.omemo.saveDevice({ ...device, active })
        changed = true
      }
      listed.delete(device.device_id)
    }
    for (const deviceId of listed) {
      store.omemo.saveDevice({
        account_id: link.accountId,
        jid,
        device_id: deviceId,
        active: 1,
        identity_key: null,
        trust: trustForNewDevice(this.#context, jid),
        first_seen_at: clock(),
        last_message_at: null,
        last_repair_at: null,
      })
      changed = true
    }
    if (changed) events.emit('omemo:devicesChanged', { accountId: link.accountId, jid })
  }
}
