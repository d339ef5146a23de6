import { untrack } from 'svelte'
import type { Api, ApiError, DeviceDto, MethodParams, OwnDeviceDto } from '../../../../preload/api.ts'

/** What the user can decide about a device (undecided is where every device starts). */
export type TrustDecision = MethodParams<'trust:setDevice'>['trust']

/** One device list (a contact's, or our own account's) as the device panel shows it. */
export interface DeviceList {
  devices: DeviceDto[] | null
  error: string | null
  loading: boolean
}

/** This client's own device of an account (for the verification QR code). */
export interface OwnDevice {
  device: OwnDeviceDto | null
  error: string | null
}

function keyOf(accountId: number, jid: string): string {
  return `${accountId}\n${jid}`
}

/** This device first, then active before inactive, then by device id. */
function sortDevices(devices: readonly DeviceDto[]): DeviceDto[] {
  return [...devices].sort(
    (a, b) => Number(b.thisDevice) - Number(a.thisDevice) || Number(b.active) - Number(a.active) || a.deviceId - b.deviceId,
  )
}

/** OMEMO devices and their trust, loaded while a panel shows them and reloaded on `omemo:devicesChanged`. */
export class TrustStore {
  lists = $state.raw<Record<string, DeviceList>>({})
  own = $state.raw<Record<number, OwnDevice>>({})

  readonly #api: Api
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- how many panels show a list, never rendered
  readonly #watchers = new Map<string, number>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- newest request per list (older answers are dropped), never rendered
  readonly #requests = new Map<string, number>()
  #nextRequest = 1

  constructor(api: Api) {
    this.#api = api
  }

  list(accountId: number, jid: string): DeviceList | undefined {
    return this.lists[keyOf(accountId, jid)]
  }

  ownDevice(accountId: number): OwnDevice | undefined {
    return this.own[accountId]
  }

  /** Shows a list: loads it now and keeps it current until the returned function is called. */
  watch(accountId: number, jid: string): () => void {
    const key = keyOf(accountId, jid)
    this.#watchers.set(key, (this.#watchers.get(key) ?? 0) + 1)
    // Called from effects: the load reads and writes `lists`, which must not become their dependency.
    untrack(() => void this.load(accountId, jid))
    return () => {
      const count = (this.#watchers.get(key) ?? 1) - 1
      if (count > 0) {
        this.#watchers.set(key, count)
        return
      }
      this.#watchers.delete(key)
      this.#requests.delete(key)
      const { [key]: _dropped, ...others } = this.lists
      this.lists = others
    }
  }

  async load(accountId: number, jid: string): Promise<void> {
    const key = keyOf(accountId, jid)
    const request = this.#nextRequest++
    this.#requests.set(key, request)
    const current = this.lists[key]
    this.lists = { ...this.lists, [key]: { devices: current?.devices ?? null, error: null, loading: true } }
    const result = await this.#api.call('omemo:devices', { accountId, jid })
    if (this.#requests.get(key) !== request || !this.#watchers.has(key)) return
    this.#requests.delete(key)
    this.lists = {
      ...this.lists,
      [key]: result.ok
        ? { devices: sortDevices(result.result), error: null, loading: false }
        : { devices: current?.devices ?? null, error: result.error.message, loading: false },
    }
  }

  async loadOwnDevice(accountId: number): Promise<void> {
    // Called from effects: what is read here must not become their dependency. A failed load is
    // forgotten first, so a retry shows "Loading…" again.
    untrack(() => {
      if (!this.own[accountId]?.error) return
      const { [accountId]: _dropped, ...others } = this.own
      this.own = others
    })
    const result = await this.#api.call('omemo:ownDevice', { accountId })
    this.own = {
      ...this.own,
      [accountId]: result.ok ? { device: result.result, error: null } : { device: null, error: result.error.message },
    }
  }

  /** `omemo:devicesChanged`: reloads the list if a panel shows it. */
  changed(accountId: number, jid: string): void {
    if (this.#watchers.has(keyOf(accountId, jid))) void this.load(accountId, jid)
  }

  async setTrust(accountId: number, jid: string, deviceId: number, trust: TrustDecision): Promise<ApiError | null> {
    const result = await this.#api.call('trust:setDevice', { accountId, jid, deviceId, trust })
    if (!result.ok) return result.error
    this.#replace(result.result)
    return null
  }

  /** Verifies the device named by a pasted `xmpp:…?omemo-sid-…` link. */
  async verifyUri(accountId: number, uri: string): Promise<ApiError | DeviceDto> {
    const result = await this.#api.call('trust:verifyUri', { accountId, uri })
    if (!result.ok) return result.error
    this.#replace(result.result)
    return result.result
  }

  forgetAccount(accountId: number): void {
    const prefix = `${accountId}\n`
    this.lists = Object.fromEntries(Object.entries(this.lists).filter(([key]) => !key.startsWith(prefix)))
    const { [accountId]: _dropped, ...others } = this.own
    this.own = others
  }

  clear(): void {
    this.lists = {}
    this.own = {}
  }

  #replace(device: DeviceDto): void {
    const key = keyOf(device.accountId, device.jid)
    const current = this.lists[key]
    if (!current?.devices) return
    const devices = current.devices.some((d) => d.deviceId === device.deviceId)
      ? current.devices.map((d) => (d.deviceId === device.deviceId ? device : d))
      : [...current.devices, device]
    this.lists = { ...this.lists, [key]: { ...current, devices: sortDevices(devices) } }
  }
}
