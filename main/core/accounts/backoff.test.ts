import { describe, expect, it } from 'vitest'
import { createBackoff } from './backoff.ts'

describe('reconnect backoff', () => {
  it('doubles up to the maximum, with jitter in [50%, 100%), and resets', () => {
    const upper = createBackoff({ initialMs: 1000, maxMs: 8000, random: () => 0.999999 })
    expect([upper.next(), upper.next(), upper.next(), upper.next(), upper.next()]).toEqual([1000, 2000, 4000, 8000, 8000])
    upper.reset()
    expect(upper.next()).toBe(1000)
    const lower = createBackoff({ initialMs: 1000, maxMs: 8000, random: () => 0 })
    expect([lower.next(), lower.next()]).toEqual([500, 1000])
  })
})
