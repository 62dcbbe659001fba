import { createNotReadyApp } from './api/not-ready-app.js'
import type { Clock } from './clock.js'
import { composeStockpoll, type Stockpoll } from './compose.js'
import type { Config } from './config.js'
import type { FrontDoors } from './listen.js'
import type { Logger } from './logger.js'
import { logCatalogSync } from './catalog-sync-log.js'
import { syncCatalog } from './shop/catalog-sync.js'
import { openStore } from './store/open-store.js'
import { StoreUnavailableError } from './store/store-unavailable-error.js'

/** How long to wait before trying the store again, after the given number of failed attempts. */
const reopenDelayMs = (attempt: number): number => Math.min(250 * 2 ** attempt, 5000)

/**
 * stockpoll over the configured store, put together once the store is reached: at start, or, when it cannot
 * be reached then (Redis is down), by trying again, ever less often, until it is. Until then its front doors
 * answer `503` to everything but `/healthz`.
 */
export class Serving {
  #closing = false
  #stockpoll: Stockpoll | undefined
  #doors: FrontDoors
  /** Resolves once the store was reached and stockpoll serves it (at once, when it was at start). */
  readonly ready: Promise<void>

  private constructor(
    readonly config: Config,
    readonly clock: Clock,
    readonly logger: Logger,
    reachedAtStart: boolean,
  ) {
    this.#doors = { api: createNotReadyApp(logger), gateway: undefined }
    this.ready = reachedAtStart ? Promise.resolve() : this.#keepTrying()
  }

  /** Reaches the store, or starts trying to; throws only what trying again would not mend. */
  static async start(config: Config, clock: Clock, logger: Logger): Promise<Serving> {
    let reached: Stockpoll | undefined
    try {
      reached = await compose(config, clock, logger)
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err
      logger.warn({ err }, 'cannot reach the store: answering 503 until it is reached')
    }
    const serving = new Serving(config, clock, logger, reached !== undefined)
    if (reached) serving.#serve(reached)
    return serving
  }

  /** What serves requests now. */
  get doors(): FrontDoors {
    return this.#doors
  }

  /** stockpoll, once the store is reached. */
  get stockpoll(): Stockpoll | undefined {
    return this.#stockpoll
  }

  /** Stops trying the store, and lets go of it if it was reached. */
  async stop(): Promise<void> {
    this.#closing = true
    await this.#stockpoll?.dispose()
  }

  #serve(stockpoll: Stockpoll): void {
    this.#stockpoll = stockpoll
    this.#doors = stockpoll
  }

  async #keepTrying(): Promise<void> {
    for (let attempt = 1; !this.#closing; attempt++) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, reopenDelayMs(attempt)))
      if (this.#closing) return
      try {
        const stockpoll = await compose(this.config, this.clock, this.logger)
        if (this.#closing) return await stockpoll.dispose()
        this.#serve(stockpoll)
        this.logger.warn('reached the store: serving')
        return
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) this.logger.error({ err }, 'cannot serve the store')
      }
    }
  }
}

/** Opens the configured store, brings it in line with the catalog file, and puts stockpoll together over it. */
async function compose(config: Config, clock: Clock, logger: Logger): Promise<Stockpoll> {
  const store = await openStore(config.store, {
    catalog: config.catalog,
    rules: config.rules,
    holds: { clock, ttlMs: config.cartTtlSeconds * 1000 },
    logger,
  })
  if (config.catalogFile) {
    const sync = await syncCatalog(store.repository, config.catalog).catch(async (error: unknown) => {
      await store.close()
      throw error
    })
    logCatalogSync(logger, config.catalogFile, sync)
  }
  return composeStockpoll({
    store,
    clock,
    logger,
    rules: config.rules,
    display: config.display,
    maxWaiters: config.maxWaiters,
    pollTimeoutSeconds: config.pollTimeoutSeconds,
    heartbeatSeconds: config.heartbeatSeconds,
    limits: config.limits,
    adminToken: config.adminToken,
    checkoutToken: config.checkoutToken,
    shopName: config.shopName,
    webhooks: config.webhooks,
  })
}
