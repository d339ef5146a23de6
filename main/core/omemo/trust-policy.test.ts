import { describe, expect, it } from 'vitest'
import type { DeviceRow } from '../store/repos/omemo-repo.ts'
import { initialTrust, skipReason } from './trust-policy.ts'

const DAY = 24 * 60 * 60 * 1000
const device = (change: Partial<DeviceRow>): DeviceRow => ({
  account_id: 1,
  jid: 'bob@example.org',
  device_id: 7,
  active: 1,
  identity_key: null,
  trust: 'blind',
  first_seen_at: 0,
  last_message_at: null,
  last_repair_at: null,
  ...change,
})

describe('trust policy', () => {
  it('BTBV trusts new devices blindly until a device of that contact is verified; manual never does', () => {
    expect(initialTrust('btbv', false)).toBe('blind')
    expect(initialTrust('btbv', true)).toBe('undecided')
    expect(initialTrust('manual', false)).toBe('undecided')
    expect(initialTrust('manual', true)).toBe('undecided')
  })

  it('never encrypts for distrusted or undecided devices, nor for ones gone from the device list', () => {
    expect(skipReason(device({ trust: 'distrusted' }), 0, 0)).toBe('untrusted')
    expect(skipReason(device({ trust: 'undecided' }), 0, 0)).toBe('undecided')
    expect(skipReason(device({ active: 0 }), 0, 0)).toBe('inactive')
    expect(skipReason(device({ trust: 'verified' }), 0, 0)).toBeNull()
    expect(skipReason(device({ trust: 'blind' }), 0, 0)).toBeNull()
  })

  it('skips devices silent for longer than the inactive threshold, only when one is set', () => {
    const quiet = device({ first_seen_at: 0, last_message_at: 1 * DAY })
    expect(skipReason(quiet, 40 * DAY, 0)).toBeNull()
    expect(skipReason(quiet, 40 * DAY, 30)).toBe('inactive')
    expect(skipReason(quiet, 20 * DAY, 30)).toBeNull()
  })
})
