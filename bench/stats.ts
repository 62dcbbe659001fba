export interface Spread {
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly count: number
}

/** The nearest-rank percentiles of a sample; all NaN for an empty one. */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  return { p50: rank(50), p99: rank(99), max: sorted.at(-1) ?? Number.NaN, count: sorted.length }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `condition` until it holds or `ms` pass; says whether it held. */
export async function waitFor(condition: () => Promise<boolean> | boolean, ms: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await condition()) return true
    if (Date.now() > deadline) return false
    await sleep(everyMs)
  }
}
