import type { OmemoSettingsDto, TrustState } from '../../../preload/api.ts'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import type { CoreEvents } from '../events.ts'
import type { Store } from '../store/store.ts'
import { initialTrust } from './trust-policy.ts'

/** What every OMEMO part of one account shares. Dependencies are passed explicitly (no singletons). */
export interface OmemoContext {
  link: XmppLink
  store: Store
  events: CoreEvents
  clock: () => number
  settings: () => OmemoSettingsDto
  warn: (message: string) => void
}

export const DEFAULT_OMEMO_SETTINGS: OmemoSettingsDto = {
  trustModel: 'btbv',
  preKeyCount: 100,
  signedPreKeyRotationDays: 7,
  repairSessions: true,
  inactiveDeviceDays: 0,
  fallbackBody: true,
}

export const OMEMO_SETTINGS_KEY = 'omemo'

export function readOmemoSettings(store: Store): OmemoSettingsDto {
  return { ...DEFAULT_OMEMO_SETTINGS, ...store.settings.get<Partial<OmemoSettingsDto>>(OMEMO_SETTINGS_KEY) }
}

/** The trust a newly seen device of `jid` gets now (BTBV or manual). */
export function trustForNewDevice(context: OmemoContext, jid: string): TrustState {
  return initialTrust(context.settings().trustModel, context.store.omemo.hasVerifiedDevice(context.link.accountId, jid))
}
