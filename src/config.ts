import { readCatalogFile, type CatalogFile } from './catalog-file.js'
import { ConfigError } from './config-error.js'
import { environment, hostsListenedAs, type ProcessFacts } from './config-variables.js'
import type { CartRules } from './domain/cart-rules.js'
import { DEFAULT_PRODUCT, type ProductDefinition } from './domain/product.js'
import { StockDisplay } from './domain/stock-display.js'
import type { LogLevel } from './logger.js'
import { openFileLimit } from './open-files.js'
import type { StoreConfig } from './store/open-store.js'
import type { HostPort, RedisServer } from './store/redis-server.js'

export interface Config {
  readonly port: number
  readonly host: string
  /** What the shop's pages are titled; without it, by what they show. */
  readonly shopName: string | undefined
  /**
   * The products the shop starts with (a store that keeps its catalog, as SQLite and Redis do, keeps its
   * own); the first is the one classic clients act on and watch.
   */
  readonly catalog: readonly ProductDefinition[]
  /**
   * The catalog file they were read from, with `CATALOG_FILE`: a store that keeps its catalog is brought in
   * line with it at start (`syncCatalog`).
   */
  readonly catalogFile: Omit<CatalogFile, 'products'> | undefined
  /** The caps on a cart line. */
  readonly rules: CartRules
  /** How much of the stock shoppers may see. */
  readonly display: StockDisplay
  readonly pollTimeoutSeconds: number
  /** Long polls, event streams and WebSockets one process holds at once. */
  readonly maxWaiters: number
  /** How often an idle event stream gets a comment, so that proxies keep it open. */
  readonly heartbeatSeconds: number
  /** How long a unit stays in a cart without an action by its session; 0 keeps it until removed. */
  readonly cartTtlSeconds: number
  readonly store: StoreConfig
  /** What `Authorization: Bearer` must carry on `/admin/*`; without it the admin API is off. */
  readonly adminToken: string | undefined
  /**
   * The token `POST /checkout` needs (`CHECKOUT=backend`): only the shop's back end, which takes the payment,
   * checks out; without it, any shopper checks out their own cart.
   */
  readonly checkoutToken: string | undefined
  /** Where webhooks go, and what signs them (`WEBHOOK_URL`, `WEBHOOK_SECRET`); without it, none are sent. */
  readonly webhooks: { readonly url: string; readonly secret: string } | undefined
  /** Over how long a stopping server answers its held clients, so that they do not all come back at once. */
  readonly shutdownSpreadMs: number
  /** Processes serving the one port; more than one needs a shared store. */
  readonly workers: number
  readonly limits: Limits
  readonly logLevel: LogLevel
}

/** What one client may ask of one process, so that no client can take the server from the others. */
export interface Limits {
  /** Requests and streams one client address may hold open at once. */
  readonly maxHeldPerClient: number
  /** Cart actions per second a session may make, with bursts of twice as many. */
  readonly cartActionsPerSecondPerSession: number
  /** Cart actions per second one client address may make, with bursts of twice as many. */
  readonly cartActionsPerSecondPerClient: number
  /** How long a client may take to send a request's headers before its connection is cut. */
  readonly headersTimeoutSeconds: number
  /** Origins besides the shop's own whose pages may change carts (`Origin` of a POST or WebSocket). */
  readonly allowedOrigins: readonly string[]
  /**
   * The host names requests may be sent to (their `Host`), so that a page on a domain an attacker points at
   * this server (DNS rebinding) is refused; `any` where the server answers for every name.
   */
  readonly allowedHosts: readonly string[] | 'any'
  /**
   * Addresses of the proxies in front, such as nginx: a request one of them forwards is counted by the
   * client address it gives in `X-Forwarded-For`, not as the proxy's.
   */
  readonly trustedProxies: readonly string[]
}

/**
 * Reads the configuration from environment variables, for a process with the given facts (by default this
 * one's); throws a `ConfigError` naming every bad variable.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  facts: ProcessFacts = { openFileLimit: openFileLimit() },
): Config {
  const parsed = environment(facts).safeParse(env)
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join('; '))
  const {
    PORT,
    HOST,
    TOTAL_INVENTORY,
    POLL_TIMEOUT_SECONDS,
    MAX_WAITERS,
    HEARTBEAT_SECONDS,
    STORE,
    REDIS_URL,
    REDIS_CLUSTER_NODES,
    REDIS_SENTINELS,
    REDIS_MASTER_NAME,
    REDIS_WAIT_REPLICAS,
    STORE_KEY_PREFIX,
    DATABASE_URL,
    DATABASE_SCHEMA,
    WORKERS,
  } = parsed.data
  const { CART_TTL_SECONDS, SHUTDOWN_SPREAD_MS, LOG_LEVEL, SHOP_NAME } = parsed.data
  const { STOCK_DISPLAY, LOW_STOCK_AT, SHOW_HOLDS } = parsed.data
  const {
    MAX_WAITERS_PER_IP,
    CART_RATE_PER_SESSION,
    CART_RATE_PER_IP,
    HEADERS_TIMEOUT_SECONDS,
    ALLOWED_ORIGINS,
    TRUSTED_PROXIES,
  } = parsed.data
  const { ALLOWED_HOSTS, CATALOG_FILE, MAX_PER_SESSION, MAX_UNITS_PER_ADDRESS, DATABASE_FILE, ADMIN_TOKEN } =
    parsed.data
  const { CHECKOUT, CHECKOUT_TOKEN, WEBHOOK_URL, WEBHOOK_SECRET } = parsed.data
  if ((WEBHOOK_URL === undefined) !== (WEBHOOK_SECRET === undefined)) {
    throw new ConfigError(
      WEBHOOK_URL === undefined
        ? 'WEBHOOK_SECRET goes with WEBHOOK_URL: the address webhooks are sent to'
        : 'WEBHOOK_URL needs WEBHOOK_SECRET: the secret webhooks are signed with',
    )
  }
  if (CATALOG_FILE !== undefined && env.TOTAL_INVENTORY?.trim()) {
    throw new ConfigError("TOTAL_INVENTORY goes without CATALOG_FILE: give each product's onHand in the file")
  }
  if ((CHECKOUT === 'backend') !== (CHECKOUT_TOKEN !== undefined)) {
    throw new ConfigError(
      CHECKOUT === 'backend'
        ? 'CHECKOUT=backend needs CHECKOUT_TOKEN: the token the back end checks out with'
        : 'CHECKOUT_TOKEN goes with CHECKOUT=backend',
    )
  }
  if (WORKERS > 1 && (STORE === 'memory' || STORE === 'sqlite')) {
    const why =
      STORE === 'memory' ? 'every worker would sell its own stock' : 'the database file belongs to one process'
    throw new ConfigError(`WORKERS=${WORKERS} needs STORE=redis or postgres: with the ${STORE} store ${why}`)
  }
  const redisWays = [
    env.REDIS_URL?.trim() && 'REDIS_URL',
    REDIS_CLUSTER_NODES.length > 0 && 'REDIS_CLUSTER_NODES',
    REDIS_SENTINELS.length > 0 && 'REDIS_SENTINELS',
  ].filter(Boolean)
  if (redisWays.length > 1) throw new ConfigError(`${redisWays.join(' and ')} name two Redis: give one of them`)
  if (REDIS_WAIT_REPLICAS > 0 && REDIS_CLUSTER_NODES.length > 0) {
    throw new ConfigError(
      "REDIS_WAIT_REPLICAS goes without REDIS_CLUSTER_NODES: WAIT asks one master's replicas, and a cluster's commands go to many masters",
    )
  }
  if (STORE === 'postgres' && DATABASE_URL === undefined) {
    throw new ConfigError('STORE=postgres needs DATABASE_URL: postgres://user@host:5432/database')
  }
  const catalogFile = CATALOG_FILE === undefined ? undefined : readCatalogFile(CATALOG_FILE)
  return {
    port: PORT,
    host: HOST,
    shopName: SHOP_NAME,
    catalog: catalogFile?.products ?? [{ ...DEFAULT_PRODUCT, onHand: TOTAL_INVENTORY }],
    catalogFile: catalogFile && { path: catalogFile.path, ignoredFields: catalogFile.ignoredFields },
    rules: {
      maxPerSession: MAX_PER_SESSION,
      ...(MAX_UNITS_PER_ADDRESS > 0 && { maxPerAddress: MAX_UNITS_PER_ADDRESS }),
    },
    display: new StockDisplay({ mode: STOCK_DISPLAY, lowAt: LOW_STOCK_AT, showsHolds: SHOW_HOLDS }),
    pollTimeoutSeconds: POLL_TIMEOUT_SECONDS,
    maxWaiters: MAX_WAITERS,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    cartTtlSeconds: CART_TTL_SECONDS,
    store: storeOf(STORE, {
      DATABASE_FILE,
      redis: redisServerOf({ REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_MASTER_NAME }),
      REDIS_WAIT_REPLICAS,
      STORE_KEY_PREFIX,
      DATABASE_URL,
      DATABASE_SCHEMA,
    }),
    adminToken: ADMIN_TOKEN,
    checkoutToken: CHECKOUT === 'backend' ? CHECKOUT_TOKEN : undefined,
    webhooks:
      WEBHOOK_URL === undefined || WEBHOOK_SECRET === undefined
        ? undefined
        : { url: WEBHOOK_URL, secret: WEBHOOK_SECRET },
    shutdownSpreadMs: SHUTDOWN_SPREAD_MS,
    workers: WORKERS,
    limits: {
      maxHeldPerClient: MAX_WAITERS_PER_IP,
      cartActionsPerSecondPerSession: CART_RATE_PER_SESSION,
      cartActionsPerSecondPerClient: CART_RATE_PER_IP,
      headersTimeoutSeconds: HEADERS_TIMEOUT_SECONDS,
      allowedOrigins: ALLOWED_ORIGINS,
      allowedHosts:
        ALLOWED_HOSTS.length === 0 ? hostsListenedAs(HOST) : ALLOWED_HOSTS.includes('*') ? 'any' : ALLOWED_HOSTS,
      trustedProxies: TRUSTED_PROXIES,
    },
    logLevel: LOG_LEVEL,
  }
}

/** The store `STORE` names, with the variables it is configured by. */
function storeOf(
  store: 'sqlite' | 'memory' | 'redis' | 'postgres',
  variables: {
    readonly DATABASE_FILE: string
    readonly redis: RedisServer
    readonly REDIS_WAIT_REPLICAS: number
    readonly STORE_KEY_PREFIX: string
    readonly DATABASE_URL: string | undefined
    readonly DATABASE_SCHEMA: string
  },
): StoreConfig {
  switch (store) {
    case 'sqlite':
      return { kind: 'sqlite', file: variables.DATABASE_FILE }
    case 'memory':
      return { kind: 'memory' }
    case 'redis':
      return {
        kind: 'redis',
        server: variables.redis,
        keyPrefix: variables.STORE_KEY_PREFIX,
        waitReplicas: variables.REDIS_WAIT_REPLICAS,
      }
    case 'postgres':
      return { kind: 'postgres', url: variables.DATABASE_URL!, schema: variables.DATABASE_SCHEMA }
  }
}

/** The Redis the variables name: a cluster, or Sentinel's master, where given; else the one at REDIS_URL. */
function redisServerOf(variables: {
  readonly REDIS_URL: string
  readonly REDIS_CLUSTER_NODES: readonly HostPort[]
  readonly REDIS_SENTINELS: readonly HostPort[]
  readonly REDIS_MASTER_NAME: string
}): RedisServer {
  if (variables.REDIS_CLUSTER_NODES.length > 0) return { clusterNodes: variables.REDIS_CLUSTER_NODES }
  if (variables.REDIS_SENTINELS.length > 0) {
    return { sentinels: variables.REDIS_SENTINELS, masterName: variables.REDIS_MASTER_NAME }
  }
  return { url: variables.REDIS_URL }
}
