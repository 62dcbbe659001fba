import type { Hono } from 'hono'
import { createApi, type ApiOptions } from './api/app.js'
import type { AppEnv } from './api/app-env.js'
import type { Clock } from './clock.js'
import type { Limits } from './config.js'
import type { CartRules } from './domain/cart-rules.js'
import { cartActions } from './edge/cart-action.js'
import { AllowedHosts } from './edge/guards/allowed-host.js'
import { ClientAddresses } from './edge/guards/client-address.js'
import { HeldPerClient } from './edge/guards/held-per-client.js'
import { SameOrigin } from './edge/guards/same-origin.js'
import { StockBodies } from './edge/stock-bodies.js'
import type { StockDisplay } from './domain/stock-display.js'
import { CrossOrigin } from './edge/guards/cross-origin.js'
import { RequestLog } from './edge/request-log.js'
import { sweepExpiredHolds } from './expiry-sweeps.js'
import { Admission } from './gateway/admission.js'
import { ClassicApi } from './gateway/classic.js'
import { Gateway } from './gateway/gateway.js'
import type { Logger } from './logger.js'
import { Metrics } from './metrics.js'
import { CatalogMirror } from './push/catalog-mirror.js'
import { Hub } from './push/hub.js'
import { AdminService } from './shop/admin-service.js'
import { CartRates } from './shop/cart-rates.js'
import { ShopperService } from './shop/shopper-service.js'
import { WebhookEvents } from './shop/webhook-events.js'
import { WebhookSender, type RetryPolicy } from './shop/webhook-sender.js'
import { webhookPoster, type WebhookTarget } from './edge/webhook-post.js'
import type { StoreParts } from './store/store.js'

export interface StockpollParts extends Pick<
  ApiOptions,
  'adminToken' | 'checkoutToken' | 'shopName' | 'publicDir' | 'newSessionId'
> {
  readonly store: StoreParts
  readonly clock: Clock
  readonly logger: Logger
  readonly limits: Omit<Limits, 'headersTimeoutSeconds'>
  /** The caps on a cart line, as the store applies them. */
  readonly rules: CartRules
  /** How much of the stock shoppers may see. */
  readonly display: StockDisplay
  /** How many long polls, streams and sockets the process holds at once. */
  readonly maxWaiters: number
  /** How long `GET /status` holds a request when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  /** How often `GET /events` sends a comment on an idle stream. */
  readonly heartbeatSeconds: number
  /** Where webhooks go and what signs them; without it, none are sent. */
  readonly webhooks?: WebhookOptions | undefined
}

/** Where webhooks go, and, for tests, how soon they give up on a receiver and try again. */
export interface WebhookOptions extends Omit<WebhookTarget, 'timeoutMs'> {
  readonly timeoutMs?: number
  readonly retry?: RetryPolicy
}

/** How long a webhook receiver may take to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000

/** stockpoll, put together: its two front doors, and the hub between the store's changes and its clients. */
export interface Stockpoll {
  /** The REST API and the page. */
  readonly api: Hono<AppEnv>
  /** The push transports. */
  readonly gateway: Gateway
  readonly hub: Hub
  /** Stops the hub hearing of changes and the sweeps of lapsed holds, and closes the store. */
  readonly dispose: () => Promise<void>
}

/**
 * The wiring: the store's feed into a fresh hub, so that every change reaches every client; sweeps of the
 * store's lapsed holds; the services over the store's repository and counters; and the two front doors over
 * those, sharing one set of guards.
 */
export async function composeStockpoll(parts: StockpollParts): Promise<Stockpoll> {
  const { store, clock, logger, limits, rules } = parts
  const { repository, feed, counters } = store
  const metrics = new Metrics()
  const first = await repository.catalog()
  const catalog = new CatalogMirror(first, parts.display)
  const hub = new Hub(catalog, { clock, maxWaiters: parts.maxWaiters, observer: metrics })
  metrics.watch(() => hub.heldByTransport())
  metrics.watchStock(() => catalog.snapshot().products)
  const ready = async () => {
    await repository.check()
    await feed.check()
  }
  metrics.watchReady(ready)
  const webhooks = parts.webhooks && webhookSender(parts, parts.webhooks, metrics)
  // Where sending starts, on the first start with webhooks: before any request can make a change to send.
  if (webhooks) await store.webhooks.progress()
  const stopPublishing = feed.listen((change) => {
    hub.publish(change)
    webhooks?.changed()
  })
  // A change that landed between the first read and the listening reached no listener; a second read after
  // listening catches it (the hub ignores it if it is not newer).
  hub.publish(await repository.catalog())
  const stopSweeping = sweepExpiredHolds({ repository, clock, logger })
  const stopSending = webhooks?.start()

  // The catalog's first product, as the store keeps it: every process sharing the store agrees on it.
  const defaultSku = first.products[0]!.sku
  const shopper = new ShopperService({
    repository,
    rates: new CartRates(counters, limits),
    defaultSku,
    countsAddresses: rules.maxPerAddress !== undefined,
  })
  const bodies = new StockBodies(parts.display)
  const applyCartCommand = cartActions({ shopper, bodies, clock, metrics })
  const clients = new ClientAddresses(limits.trustedProxies)
  const crossOrigin = new CrossOrigin(limits.allowedOrigins)
  const guards = {
    log: new RequestLog({ clock, metrics, logger }),
    clients,
    hosts: new AllowedHosts(limits.allowedHosts),
    sameOrigin: new SameOrigin(crossOrigin, clients),
    crossOrigin,
  }
  const gateway = new Gateway({
    hub,
    classic: new ClassicApi(defaultSku, catalog),
    bodies,
    admission: new Admission({ ...guards, heldPerClient: new HeldPerClient(limits.maxHeldPerClient) }),
    applyCartCommand,
    log: guards.log,
    clock,
    logger,
    pollTimeoutSeconds: parts.pollTimeoutSeconds,
    heartbeatSeconds: parts.heartbeatSeconds,
  })
  const api = createApi({
    shopper,
    admin: new AdminService(repository),
    applyCartCommand,
    bodies,
    guards,
    clock,
    metrics,
    logger,
    rules,
    ready,
    held: () => hub.heldByTransport(),
    counters,
    adminToken: parts.adminToken,
    checkoutToken: parts.checkoutToken,
    shopName: parts.shopName,
    pushOperations: gateway.operations,
    publicDir: parts.publicDir,
    newSessionId: parts.newSessionId,
    webhooks,
  })
  return {
    api,
    gateway,
    hub,
    async dispose() {
      stopSweeping()
      stopSending?.()
      stopPublishing()
      await store.close()
    },
  }
}

/** The webhook sender: the events worked out from the store's ledger, posted to the target, signed. */
function webhookSender(parts: StockpollParts, options: WebhookOptions, metrics: Metrics): WebhookSender {
  const { store, clock, logger, display } = parts
  const { timeoutMs = WEBHOOK_TIMEOUT_MS, retry, ...target } = options
  return new WebhookSender({
    log: store.webhooks,
    events: new WebhookEvents(store.repository, (available) => display.levelOf(available)),
    post: webhookPoster({ ...target, timeoutMs }),
    clock,
    logger,
    observer: metrics,
    ...(retry && { retry }),
  })
}
