import { isIP } from 'node:net'
import { z } from 'zod'
import { readCatalogFile } from './catalog-file.js'
import { ConfigError } from './config-error.js'
import type { CartRules } from './domain/cart-rules.js'
import { DEFAULT_PRODUCT, type ProductDefinition } from './domain/product.js'
import { LOG_LEVELS, type LogLevel } from './logger.js'
import { filesKeptFree, openFileLimit } from './open-files.js'

export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string }

/** Where the SQLite store keeps the stock when DATABASE_FILE does not say. */
export const DEFAULT_DATABASE_FILE = './data/stockpoll.db'

/** The shortest ADMIN_TOKEN: one that cannot be guessed. */
export const MIN_ADMIN_TOKEN_LENGTH = 32
/** What a bearer token may be made of (RFC 6750's b64token), as Hono's bearerAuth reads it. */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/

export interface Config {
  readonly port: number
  readonly host: string
  /**
   * The products the shop starts with (a store that keeps its catalog, as SQLite and Redis do, keeps its
   * own); the first is the one classic clients act on and watch.
   */
  readonly catalog: readonly ProductDefinition[]
  /** The caps on a cart line. */
  readonly rules: CartRules
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

/** The widest `?timeout=` a client may ask for, and the widest `POLL_TIMEOUT_SECONDS`. */
export const MAX_POLL_TIMEOUT_SECONDS = 120

/** What the configuration depends on besides the environment: facts about the process it will run in. */
export interface ProcessFacts {
  /** How many files the process may hold open; undefined where that cannot be known. */
  readonly openFileLimit: number | undefined
}

/**
 * An unset or empty variable takes its default; anything else must be a whole number in range. `why` says
 * where the range comes from, when it is not plain.
 */
function integerVariable(name: string, min: number, max: number, fallback: number, why = '') {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const text = raw?.trim() ?? ''
      if (text === '') return fallback
      const value = Number(text)
      if (/^\d+$/.test(text) && value >= min && value <= max) return value
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a whole number from ${min} to ${max}${why}, got ${JSON.stringify(raw)}`,
      })
      return z.NEVER
    })
}

/** Comma-separated values, each trimmed, empty ones dropped. */
const listVariable = () =>
  z
    .string()
    .optional()
    .transform((raw) =>
      (raw ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )

/** A host name as a `Host` header names it, without a port, in the form URLs give it (`[::1]`, lower case). */
const isHostName = (host: string): boolean =>
  URL.canParse(`http://${host}`) && new URL(`http://${host}`).hostname === host

/**
 * The hosts a server listening on `host` answers for when ALLOWED_HOSTS does not say: its own address, and
 * on loopback the other names of loopback; on every interface, any.
 */
function hostsListenedAs(host: string): readonly string[] | 'any' {
  if (host === '0.0.0.0' || host === '::') return 'any'
  const name = isIP(host) === 6 ? `[${host}]` : host.toLowerCase()
  const loopback = name === 'localhost' || name === '[::1]' || /^127\./.test(name)
  return loopback ? [...new Set([name, 'localhost', '127.0.0.1', '[::1]'])] : [name]
}

/** The variables, with the most long polls, streams and sockets the process can hold given its file limit. */
const environment = ({ openFileLimit }: ProcessFacts) => {
  const maxHeld = openFileLimit === undefined ? 1_000_000 : Math.max(1, openFileLimit - filesKeptFree(openFileLimit))
  const why =
    openFileLimit === undefined
      ? ''
      : ` (this process may open ${openFileLimit} files, and keeps ${filesKeptFree(openFileLimit)} for itself)`
  return z.object({
    PORT: integerVariable('PORT', 0, 65_535, 3000),
    HOST: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || '127.0.0.1'),
    TOTAL_INVENTORY: integerVariable('TOTAL_INVENTORY', 0, 100_000, DEFAULT_PRODUCT.onHand),
    CATALOG_FILE: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || undefined),
    MAX_PER_SESSION: integerVariable('MAX_PER_SESSION', 1, 1_000_000, 1),
    MAX_UNITS_PER_ADDRESS: integerVariable('MAX_UNITS_PER_ADDRESS', 0, 1_000_000, 0),
    POLL_TIMEOUT_SECONDS: integerVariable('POLL_TIMEOUT_SECONDS', 1, MAX_POLL_TIMEOUT_SECONDS, 25),
    MAX_WAITERS: integerVariable('MAX_WAITERS', 1, maxHeld, openFileLimit === undefined ? 20_000 : maxHeld, why),
    HEARTBEAT_SECONDS: integerVariable('HEARTBEAT_SECONDS', 1, 300, 15),
    CART_TTL_SECONDS: integerVariable('CART_TTL_SECONDS', 0, 604_800, 900),
    STORE: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || 'sqlite')
      .pipe(
        z.enum(['sqlite', 'memory', 'redis'], {
          error: (issue) => `STORE must be sqlite, memory or redis, got ${JSON.stringify(issue.input)}`,
        }),
      ),
    DATABASE_FILE: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || DEFAULT_DATABASE_FILE),
    ADMIN_TOKEN: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || undefined)
      .refine((token) => token === undefined || (token.length >= MIN_ADMIN_TOKEN_LENGTH && BEARER_TOKEN.test(token)), {
        error: `ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters of A-Z, a-z, 0-9, -, ., _, ~, + or / (openssl rand -hex 32 makes one)`,
      }),
    REDIS_URL: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || 'redis://127.0.0.1:6379')
      .refine((url) => /^rediss?:\/\/./.test(url) && URL.canParse(url), {
        error: (issue) => `REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(issue.input)}`,
      }),
    STORE_KEY_PREFIX: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || 'stockpoll:')
      .refine((prefix) => /^[A-Za-z0-9:_.-]{1,64}$/.test(prefix), {
        error: (issue) =>
          `STORE_KEY_PREFIX must be 1 to 64 characters of A-Z, a-z, 0-9, :, _, . or -, got ${JSON.stringify(issue.input)}`,
      }),
    SHUTDOWN_SPREAD_MS: integerVariable('SHUTDOWN_SPREAD_MS', 0, 60_000, 2000),
    WORKERS: integerVariable('WORKERS', 1, 64, 1),
    LOG_LEVEL: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || 'info')
      .pipe(
        z.enum(LOG_LEVELS, {
          error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(issue.input)}`,
        }),
      ),
    MAX_WAITERS_PER_IP: integerVariable('MAX_WAITERS_PER_IP', 1, 1_000_000, 100),
    CART_RATE_PER_SESSION: integerVariable('CART_RATE_PER_SESSION', 1, 1_000_000, 5),
    CART_RATE_PER_IP: integerVariable('CART_RATE_PER_IP', 1, 1_000_000, 50),
    HEADERS_TIMEOUT_SECONDS: integerVariable('HEADERS_TIMEOUT_SECONDS', 1, 300, 10),
    ALLOWED_ORIGINS: listVariable().refine(
      (origins) => origins.every((origin) => URL.canParse(origin) && new URL(origin).origin === origin),
      {
        error: (issue) =>
          `ALLOWED_ORIGINS must be origins such as https://shop.example, separated by commas, got ${JSON.stringify(issue.input)}`,
      },
    ),
    ALLOWED_HOSTS: listVariable()
      .transform((hosts) => hosts.map((host) => host.toLowerCase()))
      .refine((hosts) => hosts.every((host) => host === '*' || isHostName(host)), {
        error: (issue) =>
          `ALLOWED_HOSTS must be host names without a port (shop.example, 10.0.0.5, [::1]) or *, separated by commas, got ${JSON.stringify(issue.input)}`,
      }),
    TRUSTED_PROXIES: listVariable().refine((addresses) => addresses.every((address) => isIP(address) !== 0), {
      error: (issue) =>
        `TRUSTED_PROXIES must be IP addresses separated by commas, such as 127.0.0.1, got ${JSON.stringify(issue.input)}`,
    }),
  })
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
    STORE_KEY_PREFIX,
    WORKERS,
  } = parsed.data
  const { CART_TTL_SECONDS, SHUTDOWN_SPREAD_MS, LOG_LEVEL } = parsed.data
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
  if (CATALOG_FILE !== undefined && env.TOTAL_INVENTORY?.trim()) {
    throw new ConfigError("TOTAL_INVENTORY goes without CATALOG_FILE: give each product's onHand in the file")
  }
  if (WORKERS > 1 && STORE !== 'redis') {
    const why =
      STORE === 'memory' ? 'every worker would sell its own stock' : 'the database file belongs to one process'
    throw new ConfigError(`WORKERS=${WORKERS} needs STORE=redis: with the ${STORE} store ${why}`)
  }
  return {
    port: PORT,
    host: HOST,
    catalog:
      CATALOG_FILE === undefined ? [{ ...DEFAULT_PRODUCT, onHand: TOTAL_INVENTORY }] : readCatalogFile(CATALOG_FILE),
    rules: {
      maxPerSession: MAX_PER_SESSION,
      ...(MAX_UNITS_PER_ADDRESS > 0 && { maxPerAddress: MAX_UNITS_PER_ADDRESS }),
    },
    pollTimeoutSeconds: POLL_TIMEOUT_SECONDS,
    maxWaiters: MAX_WAITERS,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    cartTtlSeconds: CART_TTL_SECONDS,
    store:
      STORE === 'redis'
        ? { kind: 'redis', url: REDIS_URL, keyPrefix: STORE_KEY_PREFIX }
        : STORE === 'sqlite'
          ? { kind: 'sqlite', file: DATABASE_FILE }
          : { kind: 'memory' },
    adminToken: ADMIN_TOKEN,
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
