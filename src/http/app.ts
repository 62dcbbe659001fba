import { fileURLToPath } from 'node:url'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type MiddlewareHandler } from 'hono'
import { nanoid } from 'nanoid'
import type { Clock } from '../clock.js'
import type { Limits } from '../config.js'
import type { CartRules } from '../domain/cart-rules.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { Hub } from '../push/hub.js'
import type { Store } from '../store/store.js'
import type { AppEnv } from './app-env.js'
import { cartCommands } from './cart-command.js'
import { ClassicApi } from './classic.js'
import { errorHandler, notFound } from './errors.js'
import { AllowedHosts, allowedHost } from './guards/allowed-host.js'
import { bodyLimit } from './guards/body-limit.js'
import { ClientAddresses, clientAddress } from './guards/client-address.js'
import { HeldPerClient } from './guards/held-per-client.js'
import { pageHeaders } from './guards/page-headers.js'
import { adminAuth } from './guards/admin-auth.js'
import { CartRates } from './guards/cart-rates.js'
import { sameOrigin } from './guards/same-origin.js'
import { upgradePath } from './guards/upgrade-path.js'
import { nodePolls, type NodeHandler } from './node-polls.js'
import { RequestLog, requestLog } from './request-log.js'
import { adminProductRoutes } from './routes/admin-products.js'
import { adminSalesRoutes } from './routes/admin-sales.js'
import { cartRoutes } from './routes/cart.js'
import { checkoutRoutes } from './routes/checkout.js'
import { eventsRoutes } from './routes/events.js'
import { healthRoutes } from './routes/health.js'
import { inventoryRoutes } from './routes/inventory.js'
import { metricsRoutes } from './routes/metrics.js'
import { openapiRoutes } from './routes/openapi.js'
import { productsRoutes } from './routes/products.js'
import { sessionRoutes } from './routes/session.js'
import { LongPolls, statusRoutes } from './routes/status.js'
import { websocketRoutes } from './routes/websocket.js'

export interface AppDeps {
  readonly store: Store
  readonly hub: Hub
  readonly clock: Clock
  readonly metrics: Metrics
  readonly logger: Logger
  readonly limits: Omit<Limits, 'headersTimeoutSeconds'>
  /** The product classic clients, which name none, act on and watch. */
  readonly defaultSku: string
  /** The caps on a cart line, as the store applies them; the page is told the one per session. */
  readonly rules: CartRules
  /** How long `GET /status` holds a request when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  /** How often `GET /events` sends a comment on an idle stream. */
  readonly heartbeatSeconds: number
  /** What `/admin/*` requires as its bearer token; without one, there is no admin API. */
  readonly adminToken?: string | undefined
  /** Where the page's files are; `public/` of this package unless told otherwise. */
  readonly publicDir?: string
  readonly newSessionId?: () => string
}

const PACKAGE_PUBLIC_DIR = fileURLToPath(new URL('../../public', import.meta.url))

/** The largest request body any route takes: a cart action is a few dozen bytes. */
const MAX_BODY_BYTES = 1024

/** The app, and the part of it that serves an ordinary long poll straight from Node. */
export interface StockpollApp {
  readonly app: Hono<AppEnv>
  readonly servePoll: NodeHandler
}

/**
 * Builds the whole HTTP surface from its collaborators. The only state it holds is what its limits count:
 * the requests each client holds open (cart actions are counted where the store keeps its state).
 */
export function createApp({
  store,
  hub,
  clock,
  metrics,
  logger,
  limits,
  defaultSku,
  rules,
  pollTimeoutSeconds,
  heartbeatSeconds,
  adminToken,
  publicDir = PACKAGE_PUBLIC_DIR,
  newSessionId = nanoid,
}: AppDeps): StockpollApp {
  const heldPerClient = new HeldPerClient(limits.maxHeldPerClient)
  const log = new RequestLog({ clock, metrics, logger })
  const clients = new ClientAddresses(limits.trustedProxies)
  const hosts = new AllowedHosts(limits.allowedHosts)
  const classic = new ClassicApi(defaultSku, hub.catalog)
  const polls = new LongPolls({ hub, classic, pollTimeoutSeconds, heldPerClient })
  const rates = new CartRates(store, limits)
  const applyCartCommand = cartCommands({
    store,
    clock,
    metrics,
    defaultSku,
    countsAddresses: rules.maxPerAddress !== undefined,
    rates,
  })

  const app = new Hono<AppEnv>()
  app.use(requestLog(log))
  app.use(clientAddress(clients))
  app.use(allowedHost(hosts))
  app.use(upgradePath('/ws'))
  app.use(bodyLimit(MAX_BODY_BYTES))
  app.use(sameOrigin(limits.allowedOrigins, clients))
  app.route('/', sessionRoutes(newSessionId))
  app.route('/', inventoryRoutes(store, defaultSku))
  app.route('/', productsRoutes(store, rules))
  app.route('/', cartRoutes({ store, clock, applyCartCommand, defaultSku }))
  app.route('/', checkoutRoutes({ store, rates }))
  app.route('/', statusRoutes(polls))
  app.route('/', eventsRoutes({ hub, classic, heartbeatSeconds, heldPerClient }))
  app.route('/', websocketRoutes({ hub, classic, applyCartCommand, heldPerClient, logger }))
  app.route('/', healthRoutes(store, hub))
  app.route('/', metricsRoutes(metrics))
  app.route('/', openapiRoutes())
  if (adminToken !== undefined) {
    app.use('/admin/*', adminAuth(adminToken, store))
    app.route('/', adminProductRoutes(store, clock))
    app.route('/', adminSalesRoutes(store))
  }
  const noStore: MiddlewareHandler = async function noStore(c, next) {
    // The page's files are tiny and this static server answers no conditional requests: fetch afresh.
    c.header('Cache-Control', 'no-store')
    await next()
  }
  // One product's own page is the page, which reads its SKU from the path; /products/:sku stays JSON.
  app.get('/p/:sku', pageHeaders, noStore, serveStatic({ root: publicDir, path: 'index.html' }))
  app.get('*', pageHeaders, noStore, serveStatic({ root: publicDir }))
  app.notFound(notFound)
  app.onError(errorHandler(logger))
  return { app, servePoll: nodePolls({ polls, hosts, clients, log, clock }) }
}
