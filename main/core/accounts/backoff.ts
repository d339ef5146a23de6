/**
 * Exponential reconnect backoff with jitter: 1 s, 2 s, 4 s … up to maxMs, each scaled by a random
 * factor in [0.5, 1) so that many clients do not reconnect in lockstep after a server restart.
 */
export function createBackoff(options: { initialMs?: number; maxMs?: number; random: () => number }) {
  const initialMs = options.initialMs ?? 1000
  const maxMs = options.maxMs ?? 60_000
  let attempt = 0
  return {
    next(): number {
      const base = Math.min(maxMs, initialMs * 2 ** attempt)
      attempt += 1
      return Math.round(base * (0.5 + options.random() / 2))
    },
    reset(): void {
      attempt = 0
    },
  }
}
