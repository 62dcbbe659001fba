import { setTimeout as sleep } from 'node:timers/promises'
export interface Spread {
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly count: number
}

/** The nearest-rank percentiles of a sample; all NaN for an empty one. */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  return { p50: rank(50), p99: rank(99), max: sorted.at(-1) ?? Number.NaN, count: sorted.length }
}

/** The middle value of a sample (the mean of the middle two for an even count); NaN for an empty one. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length / 2
  return sorted.length % 2
    ? sorted[Math.floor(middle)]!
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
}

/** Each figure of several spreads, taken as its median over them. */
export const medianSpread = (spreads: readonly Spread[]): Spread => ({
  p50: median(spreads.map((spread) => spread.p50)),
  p99: median(spreads.map((spread) => spread.p99)),
  max: median(spreads.map((spread) => spread.max)),
  count: median(spreads.map((spread) => spread.count)),
})

/** Polls `condition` until it holds or `ms` pass; says whether it held. */
export async function waitFor(condition: () => Promise<boolean> | boolean, ms: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await condition()) return true
    if (Date.now() > deadline) return false
    await sleep(everyMs)
  }
}
