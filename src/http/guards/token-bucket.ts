import type { Clock } from '../../clock.js'

interface Bucket {
  tokens: number
  at: number
}

/** Past this many keys, buckets that have filled up again are forgotten, so that memory stays bounded. */
const SWEEP_ABOVE_KEYS = 10_000

/**
 * A token bucket per key: `perSecond` actions a second, with bursts of up to `burst`. Kept in this process,
 * so with several processes each allows its own share.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>()

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    readonly clock: Clock,
  ) {}

  /** Takes a token for `key`: 0 when there was one, otherwise the seconds until there will be. */
  take(key: string): number {
    const now = this.clock.now()
    const bucket = this.#buckets.get(key) ?? { tokens: this.burst, at: now }
    bucket.tokens = this.#refilled(bucket, now)
    bucket.at = now
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / this.perSecond)
    bucket.tokens -= 1
    if (!this.#buckets.has(key) && this.#buckets.size >= SWEEP_ABOVE_KEYS) this.#sweep(now)
    this.#buckets.set(key, bucket)
    return 0
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond)
  }

  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) if (this.#refilled(bucket, now) >= this.burst) this.#buckets.delete(key)
  }
}
