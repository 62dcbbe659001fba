import type { Clock } from './clock.js'
import type { Store } from './store/store.js'

/** How often lapsed holds are returned to stock: a hold lasts its TTL and at most this much more. */
const EXPIRY_SWEEP_MS = 1000

/**
 * Asks the store to return lapsed holds every `EXPIRY_SWEEP_MS`, one sweep at a time. A sweep that fails
 * (the store is out of reach) is simply tried again at the next one. Returns a function that stops them.
 */
export function sweepExpiredHolds(store: Store, clock: Clock): () => void {
  let stopped = false
  let cancel = () => {}
  const sweep = () => {
    store
      .expireHolds()
      .catch(() => {})
      .finally(() => {
        if (!stopped) cancel = clock.setTimeout(sweep, EXPIRY_SWEEP_MS)
      })
  }
  cancel = clock.setTimeout(sweep, EXPIRY_SWEEP_MS)
  return () => {
    stopped = true
    cancel()
  }
}
