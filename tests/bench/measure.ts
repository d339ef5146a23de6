/**
 * Time-bounded throughput measurement: a warm-up, then as many sequential iterations as fit in the time budget
 * (at least `minIterations`). Reports per-second rates; nothing here asserts anything about the numbers.
 */
export interface Measurement {
  iterations: number
  seconds: number
  perSecond: number
  msPerIteration: number
}

export interface MeasureOptions {
  warmupSeconds: number
  seconds: number
  minIterations?: number
}

export async function measure(step: () => Promise<unknown> | unknown, options: MeasureOptions): Promise<Measurement> {
  const minIterations = options.minIterations ?? 3
  const warmupEnd = performance.now() + options.warmupSeconds * 1000
  for (let warm = 0; warm < 2 || performance.now() < warmupEnd; warm++) await step()
  const start = performance.now()
  const end = start + options.seconds * 1000
  let iterations = 0
  while (iterations < minIterations || performance.now() < end) {
    await step()
    iterations++
  }
  const seconds = (performance.now() - start) / 1000
  return { iterations, seconds, perSecond: iterations / seconds, msPerIteration: (seconds * 1000) / iterations }
}
