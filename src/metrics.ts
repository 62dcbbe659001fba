import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { availableOf, type ProductStock } from './domain/product.js'

/**
 * The most products whose stock is a gauge of its own: a series per product, past this, would cost the
 * monitoring more than the figures are worth; the catalog's totals stand for them.
 */
export const MAX_PRODUCT_SERIES = 1000

/**
 * What stockpoll counts, in Prometheus's text format at `GET /metrics`: each process its own registry, so
 * several apps in one process (as in tests) never mix their figures. Node's own process figures (CPU, memory,
 * event loop lag, open files) are in it too.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #ledgerDiverged = new Gauge({
    name: 'stockpoll_ledger_diverged',
    help: 'What the last GET /admin/verify found: 1 for a divergence of the ledger, 0 for none.',
    registers: [this.registry],
  })
  readonly #checkouts = new Counter({
    name: 'stockpoll_checkouts_total',
    help: 'Checkouts, by result: ok, or the error code they were refused with.',
    labelNames: ['result'],
    registers: [this.registry],
  })
  readonly #webhookAttempts = new Counter({
    name: 'stockpoll_webhook_attempts_total',
    help: 'Attempts to send a webhook event, by outcome: delivered, failed (to be tried again) or given_up.',
    labelNames: ['outcome'],
    registers: [this.registry],
  })
  readonly #webhookBacklog = new Gauge({
    name: 'stockpoll_webhook_backlog_seconds',
    help: 'How long the oldest webhook event not yet delivered had waited since its change, at its last attempt; 0 when none waits.',
    registers: [this.registry],
  })
  readonly #cartActions = new Counter({
    name: 'stockpoll_cart_actions_total',
    help: 'Cart actions, by result: ok, or the error code they were refused with.',
    labelNames: ['result'],
    registers: [this.registry],
  })
  readonly #changes = new Counter({
    name: 'stockpoll_changes_total',
    help: 'New versions of the stock this process heard of.',
    registers: [this.registry],
  })
  readonly #fanOut = new Histogram({
    name: 'stockpoll_fan_out_duration_seconds',
    help: 'From a new version to the last waiter and subscriber sent it.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })
  readonly #requests = new Counter({
    name: 'stockpoll_http_requests_total',
    help: 'HTTP requests, by route and status.',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  })

  /** Reads the requests and streams held open, by transport, whenever the metrics are collected. */
  watch(heldByTransport: () => Readonly<Record<string, number>>): void {
    new Gauge({
      name: 'stockpoll_held',
      help: 'Requests and streams held open now, by transport.',
      labelNames: ['transport'],
      registers: [this.registry],
      collect() {
        for (const [transport, held] of Object.entries(heldByTransport())) this.set({ transport }, held)
      },
    })
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry })
  }

  /**
   * Reads each product's stock whenever the metrics are collected: what is available and what carts hold, a
   * series per product up to `MAX_PRODUCT_SERIES` products, and the catalog's totals.
   */
  watchStock(products: () => readonly ProductStock[]): void {
    const perProduct = (name: string, help: string, of: (product: ProductStock) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['sku'],
        registers: [this.registry],
        collect() {
          this.reset()
          const all = products()
          if (all.length <= MAX_PRODUCT_SERIES) for (const product of all) this.set({ sku: product.sku }, of(product))
        },
      })
    perProduct('stockpoll_product_available', 'Units of a product in no cart, by SKU.', availableOf)
    perProduct('stockpoll_product_held', 'Units of a product in carts, by SKU.', ({ held }) => held)
    new Gauge({
      name: 'stockpoll_products',
      help: 'Products in the catalog, and of them those sold out.',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const all = products()
        this.set({ state: 'all' }, all.length)
        this.set({ state: 'sold_out' }, all.filter((product) => availableOf(product) === 0).length)
      },
    })
  }

  /**
   * Asks whether this process is ready (as `/readyz` does) whenever the metrics are collected: 1 or 0, for an
   * alert that a process stayed unready.
   */
  watchReady(ready: () => Promise<void>): void {
    new Gauge({
      name: 'stockpoll_ready',
      help: 'Whether this process can serve its store now, as /readyz answers: 1 or 0.',
      registers: [this.registry],
      async collect() {
        this.set(
          await ready().then(
            () => 1,
            () => 0,
          ),
        )
      },
    })
  }

  /** What the last check of the ledger found: 1 for a divergence, 0 for none. */
  verified(diverged: boolean): void {
    this.#ledgerDiverged.set(diverged ? 1 : 0)
  }

  checkout(result: string): void {
    this.#checkouts.inc({ result })
  }

  webhookAttempt(outcome: string): void {
    this.#webhookAttempts.inc({ outcome })
  }

  webhookBacklog(ms: number): void {
    this.#webhookBacklog.set(ms / 1000)
  }

  cartAction(result: string): void {
    this.#cartActions.inc({ result })
  }

  changed(): void {
    this.#changes.inc()
  }

  fannedOut(ms: number): void {
    this.#fanOut.observe(ms / 1000)
  }

  /** The counter of each route and status seen, so that a request does not hash its labels again. */
  readonly #requestCounts = new Map<string, Counter.Internal>()

  request(route: string, status: number): void {
    const key = `${status} ${route}`
    let count = this.#requestCounts.get(key)
    if (!count) this.#requestCounts.set(key, (count = this.#requests.labels({ route, status })))
    count.inc()
  }
}
