import { describe, expect, it } from 'vitest'
import { sweepExpiredHolds } from '../src/expiry-sweeps.js'
import { LocalFeed } from '../src/store/change-feed.js'
import { MemoryRepository } from '../src/store/memory.js'
import { StoreUnavailableError } from '../src/store/store-unavailable-error.js'
import { recordingLogger } from './helpers/log-lines.js'
import { ManualClock } from './helpers/manual-clock.js'
import { nextTurn } from './helpers/turns.js'

/** A store whose sweeps fail with what `failure` gives, counting them. */
class FailingSweeps extends MemoryRepository {
  sweeps = 0

  constructor(readonly failure: () => Error) {
    super({}, new LocalFeed())
  }

  override async expireHolds(): Promise<void> {
    this.sweeps++
    throw this.failure()
  }
}

describe('sweepExpiredHolds', () => {
  it('tries again quietly when the store is out of reach, but logs any other failure with its stack, and goes on', async () => {
    for (const [failure, logged] of [
      [() => new StoreUnavailableError('Redis is down'), 0],
      [() => new TypeError('a bug'), 2],
    ] as const) {
      const clock = new ManualClock()
      const { logger, lines } = recordingLogger()
      const store = new FailingSweeps(failure)
      const stop = sweepExpiredHolds({ repository: store, clock, logger })
      for (let i = 0; i < 2; i++) {
        clock.advance(1000)
        await nextTurn()
      }
      stop()
      expect(store.sweeps).toBe(2)
      expect(lines()).toHaveLength(logged)
      for (const line of lines()) {
        expect(line).toMatchObject({
          level: 'error',
          err: { message: 'a bug', stack: expect.stringContaining('TypeError') },
        })
      }
    }
  })
})
