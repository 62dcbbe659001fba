import { BurstyRateLimiter, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

/** Counts events per key, such as cart actions per session or failed logins per address. */
export interface RateCounter {
  /** Counts one for `key`: `ok` while it is within its rate, else how long until it is again. */
  take(key: string): Promise<{ readonly ok: true } | { readonly ok: false; readonly msBeforeNext: number }>
  /** What `key` has counted in the window now, and when the window ends, without counting. */
  count(key: string): Promise<{ readonly counted: number; readonly msBeforeNext: number }>
  /** Counts one for `key`, whatever it has counted. */
  add(key: string): Promise<void>
}

/** What a rate is: `points` for each key in each window of `durationSeconds`, and maybe a burst. */
export interface Rate {
  readonly points: number
  readonly durationSeconds: number
  /** As many points again, once in each window of this many seconds, for a key past its rate. */
  readonly burstSeconds?: number
}

/**
 * The counters the rate limits keep: where the stock is shared, every process sharing it counts together.
 * `name` keeps counts of different purposes apart.
 */
export interface Counters {
  rate(name: string, rate: Rate): RateCounter
}

/** Makes rate-limiter-flexible's limiter of `points` in windows of `durationSeconds`, counting under `name`. */
export type LimiterFactory = (name: string, points: number, durationSeconds: number) => RateLimiterAbstract

/**
 * Counters kept by rate-limiter-flexible, in whatever its limiters keep them (this process's memory, Redis),
 * with its BurstyRateLimiter for a rate with a burst.
 */
export class LimiterCounters implements Counters {
  constructor(readonly limiterOf: LimiterFactory) {}

  rate(name: string, { points, durationSeconds, burstSeconds }: Rate): RateCounter {
    const limiter = this.limiterOf(name, points, durationSeconds)
    const taking =
      burstSeconds === undefined
        ? limiter
        : new BurstyRateLimiter(limiter, this.limiterOf(`${name}-burst`, points, burstSeconds))
    return {
      async take(key) {
        try {
          await taking.consume(key)
          return { ok: true }
        } catch (refusal) {
          if (refusal instanceof RateLimiterRes) return { ok: false, msBeforeNext: refusal.msBeforeNext }
          throw refusal
        }
      },
      async count(key) {
        const counted = await limiter.get(key)
        return { counted: counted?.consumedPoints ?? 0, msBeforeNext: counted?.msBeforeNext ?? 0 }
      },
      async add(key) {
        await limiter.penalty(key)
      },
    }
  }
}
