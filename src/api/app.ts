import { fileURLToPath } from 'node:url'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type MiddlewareHandler } from 'hono'
import { nanoid } from 'nanoid'
import type { Clock } from '../clock.js'
import type { CartRules } from '../domain/cart-rules.js'
import type { ApplyCartCommand } from '../edge/cart-action.js'
import type { StockBodies } from '../edge/stock-bodies.js'
import type { AllowedHosts } from '../edge/guards/allowed-host.js'
import type { ClientAddresses } from '../edge/guards/client-address.js'
import type { CrossOrigin } from '../edge/guards/cross-origin.js'
import type { SameOrigin } from '../edge/guards/same-origin.js'
import type { Operation } from '../edge/openapi/operation.js'
import type { RequestLog } from '../edge/request-log.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { Transport } from '../push/transport.js'
import type { AdminService } from '../shop/admin-service.js'
import type { WebhookSender } from '../shop/webhook-sender.js'
import type { ShopperService } from '../shop/shopper-service.js'
import type { Counters } from '../store/counters.js'
import type { AppEnv } from './app-env.js'
import { errorHandler, notFound } from './errors.js'
import { bearerTokenAuth } from './guards/bearer-auth.js'
import { allowedHost, bodyLimit, clientAddress, crossOrigin, requestLog, sameOrigin } from './guards/edge-guards.js'
import { pageHeaders } from './guards/page-headers.js'
import { adminCatalogRoutes } from './routes/admin-catalog.js'
import { adminProductRoutes } from './routes/admin-products.js'
import { adminSalesRoutes } from './routes/admin-sales.js'
import { adminWebhookRoutes } from './routes/admin-webhooks.js'
import { cartRoutes } from './routes/cart.js'
import { checkoutRoutes } from './routes/checkout.js'
import { embedRoutes } from './routes/embed.js'
import { healthRoutes } from './routes/health.js'
import { inventoryRoutes } from './routes/inventory.js'
import { metricsRoutes } from './routes/metrics.js'
import { openapiRoutes } from './routes/openapi.js'
import { knownProduct, productsRoutes } from './routes/products.js'
import { sessionRoutes } from './routes/session.js'

/** The guards every request passes, made once in the wiring and shared with the gateway. */
export interface EdgeGuards {
  readonly log: RequestLog
  readonly clients: ClientAddresses
  readonly hosts: AllowedHosts
  readonly sameOrigin: SameOrigin
  readonly crossOrigin: CrossOrigin
}

export interface ApiOptions {
  readonly shopper: ShopperService
  readonly admin: AdminService
  readonly applyCartCommand: ApplyCartCommand
  /** The stock's answers, as the shop's display shows it. */
  readonly bodies: StockBodies
  readonly guards: EdgeGuards
  readonly clock: Clock
  readonly metrics: Metrics
  readonly logger: Logger
  /** The caps on a cart line, as the store applies them; the page is told the one per session. */
  readonly rules: CartRules
  /** Resolves when the stock can serve and changes reach this process; throws when not. */
  readonly ready: () => Promise<void>
  /** How many clients the gateway holds on each transport. */
  readonly held: () => Readonly<Record<Transport, number>>
  /** Where the admin API's failed attempts are counted. */
  readonly counters: Counters
  /** What `/admin/*` requires as its bearer token; without one, there is no admin API. */
  readonly adminToken?: string | undefined
  /** The token `POST /checkout` needs, where only the shop's back end checks out (`CHECKOUT=backend`). */
  readonly checkoutToken?: string | undefined
  /** The shop's name, which `GET /products` tells the page to title itself with. */
  readonly shopName?: string | undefined
  /** What `/openapi.json` says of the push transports beside the app, the gateway's. */
  readonly pushOperations: readonly Operation[]
  /** Where the page's files are; `public/` of this package unless told otherwise. */
  readonly publicDir?: string | undefined
  readonly newSessionId?: (() => string) | undefined
  /** What sends the webhooks, where they are sent. */
  readonly webhooks?: WebhookSender | undefined
}

const PACKAGE_PUBLIC_DIR = fileURLToPath(new URL('../../public', import.meta.url))

/** The largest request body a shopper's route takes: a cart action is a few dozen bytes. */
const MAX_BODY_BYTES = 1024
/** The largest the admin's may be: a bulk put of `MAX_BULK_PRODUCTS` products, with room to spare. */
const MAX_ADMIN_BODY_BYTES = 4 * 1024 * 1024

/**
 * The REST API and the page, on Hono: each route parses its request, asks a service, and answers; every
 * refusal is answered in one place. The push transports are the gateway's, beside it.
 */
export function createApi(options: ApiOptions): Hono<AppEnv> {
  const { shopper, admin, applyCartCommand, bodies, guards, clock, metrics, logger, rules, adminToken } = options
  const { publicDir = PACKAGE_PUBLIC_DIR, newSessionId = nanoid } = options
  const app = new Hono<AppEnv>()
  app.use(requestLog(guards.log))
  app.use(clientAddress(guards.clients))
  app.use(allowedHost(guards.hosts))
  app.use(bodyLimit((path) => (path.startsWith('/admin/') ? MAX_ADMIN_BODY_BYTES : MAX_BODY_BYTES)))
  app.use(sameOrigin(guards.sameOrigin))
  // Without allowed origins no answer varies by origin: the middleware, which touches every answer, is left out.
  if (guards.crossOrigin.enabled) app.use(crossOrigin(guards.crossOrigin))
  const noStore: MiddlewareHandler = async function noStore(c, next) {
    // The page's files are tiny and this static server answers no conditional requests: fetch afresh.
    c.header('Cache-Control', 'no-store')
    await next()
  }
  app.route('/', sessionRoutes(newSessionId))
  app.route('/', inventoryRoutes(shopper, bodies))
  const checkout = options.checkoutToken === undefined ? 'open' : 'backend'
  app.route('/', productsRoutes({ shopper, bodies, rules, shopName: options.shopName, checkout }))
  app.route('/', cartRoutes({ shopper, bodies, clock, applyCartCommand }))
  if (options.checkoutToken !== undefined) {
    const token = { token: options.checkoutToken, variable: 'CHECKOUT_TOKEN', guards: 'checkout' }
    app.use('/checkout', bearerTokenAuth(token, options.counters))
  }
  app.route('/', checkoutRoutes(shopper, bodies, metrics))
  app.route('/', healthRoutes(options.ready, options.held))
  app.route('/', metricsRoutes(metrics))
  app.route('/', openapiRoutes(options.pushOperations))
  if (adminToken !== undefined) {
    // The admin's page asks for the token itself: it is served before the guard of the API it calls.
    app.get('/admin', pageHeaders, noStore, serveStatic({ root: publicDir, path: 'admin.html' }))
    app.use(
      '/admin/*',
      bearerTokenAuth({ token: adminToken, variable: 'ADMIN_TOKEN', guards: 'admin' }, options.counters),
    )
    app.route('/', adminCatalogRoutes(admin))
    app.route('/', adminProductRoutes(admin, clock))
    app.route('/', adminSalesRoutes(admin, metrics))
    app.route('/', adminWebhookRoutes(options.webhooks))
  }
  app.route('/', embedRoutes(publicDir))
  // One product's own page is the page, which reads its SKU from the path; /products/:sku stays JSON. A
  // product the catalog lacks has no page: 404, as /products/:sku answers it.
  app.get('/p/:sku', pageHeaders, noStore, knownProduct(shopper), serveStatic({ root: publicDir, path: 'index.html' }))
  app.get('*', pageHeaders, noStore, serveStatic({ root: publicDir }))
  app.notFound(notFound)
  app.onError(errorHandler(logger))
  return app
}
