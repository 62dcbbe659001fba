import { isIP } from 'node:net'
import { z } from 'zod'
import { DEFAULT_PRODUCT } from './domain/product.js'
import { STOCK_DISPLAYS } from './domain/stock-display.js'
import { MAX_POLL_TIMEOUT_SECONDS } from './edge/input.js'
import { LOG_LEVELS } from './logger.js'
import { filesKeptFree } from './open-files.js'

/**
 * The environment variables stockpoll reads, in groups, each checked by zod: an unset or empty one takes
 * its default, and a bad one is named in the error with what it must be.
 */

/** Where the SQLite store keeps the stock when DATABASE_FILE does not say. */
export const DEFAULT_DATABASE_FILE = './data/stockpoll.db'

/** The shortest ADMIN_TOKEN: one that cannot be guessed. */
export const MIN_BEARER_TOKEN_LENGTH = 32
/** What a bearer token may be made of (RFC 6750's b64token), as Hono's bearerAuth reads it. */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/

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

/** `host:port`, each as a URL gives it (a name, an IPv4 address, or an IPv6 one in brackets). */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/

/** Comma-separated `host:port` pairs, such as Redis's Cluster nodes and Sentinels are found at. */
const hostPortsVariable = (name: string, example: string) =>
  listVariable().transform((items, ctx) => {
    const hosts = items.map((item) => HOST_PORT.exec(item))
    if (hosts.every((match) => match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65_535)) {
      return hosts.map((match) => ({ host: match![1]!.replace(/^\[|\]$/g, ''), port: Number(match![2]) }))
    }
    ctx.addIssue({
      code: 'custom',
      message: `${name} must be host:port pairs separated by commas, such as ${example}, got ${JSON.stringify(items.join(','))}`,
    })
    return z.NEVER
  })

/** A host name as a `Host` header names it, without a port, in the form URLs give it (`[::1]`, lower case). */
export const isHostName = (host: string): boolean =>
  URL.canParse(`http://${host}`) && new URL(`http://${host}`).hostname === host

/**
 * The hosts a server listening on `host` answers for when ALLOWED_HOSTS does not say: its own address, and
 * on loopback the other names of loopback; on every interface, any.
 */
export function hostsListenedAs(host: string): readonly string[] | 'any' {
  if (host === '0.0.0.0' || host === '::') return 'any'
  const name = isIP(host) === 6 ? `[${host}]` : host.toLowerCase()
  const loopback = name === 'localhost' || name === '[::1]' || /^127\./.test(name)
  return loopback ? [...new Set([name, 'localhost', '127.0.0.1', '[::1]'])] : [name]
}

/** The process: where it listens, how many it holds, how it stops, what it logs. */
const processVariables = ({ openFileLimit }: ProcessFacts) => {
  const maxHeld = openFileLimit === undefined ? 1_000_000 : Math.max(1, openFileLimit - filesKeptFree(openFileLimit))
  const why =
    openFileLimit === undefined
      ? ''
      : ` (this process may open ${openFileLimit} files, and keeps ${filesKeptFree(openFileLimit)} for itself)`
  return {
    PORT: integerVariable('PORT', 0, 65_535, 3000),
    HOST: z
      .string()
      .optional()
      .transform((raw) => raw?.trim() || '127.0.0.1'),
    POLL_TIMEOUT_SECONDS: integerVariable('POLL_TIMEOUT_SECONDS', 1, MAX_POLL_TIMEOUT_SECONDS, 25),
    MAX_WAITERS: integerVariable('MAX_WAITERS', 1, maxHeld, openFileLimit === undefined ? 20_000 : maxHeld, why),
    HEARTBEAT_SECONDS: integerVariable('HEARTBEAT_SECONDS', 1, 300, 15),
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
  }
}

/**
 * A variable that is one of `choices`, `fallback` when unset or empty; anything else is named in the error
 * with what it must be.
 */
const choiceVariable = <const Choices extends readonly [string, ...string[]]>(
  name: string,
  choices: Choices,
  fallback: Choices[number],
) => {
  const must = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`
  return z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || fallback)
    .pipe(z.enum(choices, { error: (issue) => `${name} must be ${must}, got ${JSON.stringify(issue.input)}` }))
}

/** A secret a caller proves itself with as `Authorization: Bearer <token>`: long, and of token68's characters. */
const bearerTokenVariable = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || undefined)
    .refine((token) => token === undefined || (token.length >= MIN_BEARER_TOKEN_LENGTH && BEARER_TOKEN.test(token)), {
      error: `${name} must be at least ${MIN_BEARER_TOKEN_LENGTH} characters of A-Z, a-z, 0-9, -, ., _, ~, + or / (openssl rand -hex 32 makes one)`,
    })

/** The shop: its name, what it sells, the caps on a cart, and the admin's token. */
const shopVariables = {
  TOTAL_INVENTORY: integerVariable('TOTAL_INVENTORY', 0, 100_000, DEFAULT_PRODUCT.onHand),
  CATALOG_FILE: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || undefined),
  MAX_PER_SESSION: integerVariable('MAX_PER_SESSION', 1, 1_000_000, 1),
  MAX_UNITS_PER_ADDRESS: integerVariable('MAX_UNITS_PER_ADDRESS', 0, 1_000_000, 0),
  CART_TTL_SECONDS: integerVariable('CART_TTL_SECONDS', 0, 604_800, 900),
  STOCK_DISPLAY: choiceVariable('STOCK_DISPLAY', STOCK_DISPLAYS, 'exact'),
  LOW_STOCK_AT: integerVariable('LOW_STOCK_AT', 1, 1_000_000, 5),
  SHOW_HOLDS: choiceVariable('SHOW_HOLDS', ['true', 'false'], 'false').transform((shown) => shown === 'true'),
  SHOP_NAME: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || undefined)
    .refine((name) => name === undefined || name.length <= 100, { error: 'SHOP_NAME must be at most 100 characters' }),
  ADMIN_TOKEN: bearerTokenVariable('ADMIN_TOKEN'),
  CHECKOUT: choiceVariable('CHECKOUT', ['open', 'backend'], 'open'),
  CHECKOUT_TOKEN: bearerTokenVariable('CHECKOUT_TOKEN'),
}

/** The secret webhooks are signed with, as Standard Webhooks has it: `whsec_` and 24 to 64 bytes in base64. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/

/** Where the shop's own systems hear of what happens. */
const webhookVariables = {
  WEBHOOK_URL: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || undefined)
    .refine((url) => url === undefined || (/^https?:\/\/./.test(url) && URL.canParse(url)), {
      error: (issue) => `WEBHOOK_URL must be an http:// or https:// URL, got ${JSON.stringify(issue.input)}`,
    }),
  WEBHOOK_SECRET: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || undefined)
    .refine((secret) => secret === undefined || WEBHOOK_SECRET.test(secret), {
      error:
        'WEBHOOK_SECRET must be whsec_ followed by 24 to 64 random bytes in base64 (echo whsec_$(openssl rand -base64 32) makes one)',
    }),
}

/** Where the stock is kept. */
const storeVariables = {
  STORE: choiceVariable('STORE', ['sqlite', 'memory', 'redis', 'postgres'], 'sqlite'),
  DATABASE_FILE: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || DEFAULT_DATABASE_FILE),
  REDIS_URL: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || 'redis://127.0.0.1:6379')
    .refine((url) => /^rediss?:\/\/./.test(url) && URL.canParse(url), {
      error: (issue) => `REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(issue.input)}`,
    }),
  REDIS_CLUSTER_NODES: hostPortsVariable('REDIS_CLUSTER_NODES', '10.0.0.5:7000,10.0.0.6:7000'),
  REDIS_SENTINELS: hostPortsVariable('REDIS_SENTINELS', '10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379'),
  REDIS_MASTER_NAME: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || 'mymaster')
    .refine((name) => /^[A-Za-z0-9._-]{1,64}$/.test(name), {
      error: (issue) =>
        `REDIS_MASTER_NAME must be 1 to 64 characters of A-Z, a-z, 0-9, ., _ or -, got ${JSON.stringify(issue.input)}`,
    }),
  REDIS_WAIT_REPLICAS: integerVariable('REDIS_WAIT_REPLICAS', 0, 16, 0),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || undefined)
    .refine((url) => url === undefined || (/^postgres(ql)?:\/\/./.test(url) && URL.canParse(url)), {
      error: (issue) => `DATABASE_URL must be a postgres:// or postgresql:// URL, got ${JSON.stringify(issue.input)}`,
    }),
  DATABASE_SCHEMA: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || 'public')
    // The change channel is named after it, and a channel's name may be 63 bytes at most.
    .refine((schema) => /^[a-z_][a-z0-9_]{0,47}$/.test(schema), {
      error: (issue) =>
        `DATABASE_SCHEMA must be 1 to 48 characters of a-z, 0-9 and _, not starting with a digit, got ${JSON.stringify(issue.input)}`,
    }),
  STORE_KEY_PREFIX: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || 'stockpoll:')
    .refine((prefix) => /^[A-Za-z0-9:_.-]{1,64}$/.test(prefix), {
      error: (issue) =>
        `STORE_KEY_PREFIX must be 1 to 64 characters of A-Z, a-z, 0-9, :, _, . or -, got ${JSON.stringify(issue.input)}`,
    }),
}

/** What one client may ask of one process, and whom the server answers. */
const limitVariables = {
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
}

/** Every variable, with the most long polls, streams and sockets the process can hold given its file limit. */
export const environment = (facts: ProcessFacts) =>
  z.object({
    ...processVariables(facts),
    ...shopVariables,
    ...webhookVariables,
    ...storeVariables,
    ...limitVariables,
  })
