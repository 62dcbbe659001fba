import type { Clock } from './clock.js'
import type { Logger } from './logger.js'
import { StoreUnavailableError } from './store/store-unavailable-error.js'
import type { StockRepository } from './store/store.js'

/** How often lapsed holds are returned to stock: a hold lasts its TTL and at most this much more. */
const EXPIRY_SWEEP_MS = 1000

export interface ExpirySweepOptions {
  readonly repository: StockRepository
  readonly clock: Clock
  readonly logger: Logger
}

/**
 * Asks the repository to return lapsed holds every `EXPIRY_SWEEP_MS`, one sweep at a time. A sweep the store
 * cannot serve (it is out of reach) is simply tried again at the next one; any other failure is a fault,
 * logged with its stack, and the sweeps go on. Returns a function that stops them.
 */
export function sweepExpiredHolds({ repository, clock, logger }: ExpirySweepOptions): () => void {
  let stopped = false
  let cancel = () => {}
  const sweep = () => {
    repository
      .expireHolds()
      .catch((err: unknown) => {
        if (!(err instanceof StoreUnavailableError)) logger.error({ err }, 'a sweep of lapsed holds failed')
      })
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
