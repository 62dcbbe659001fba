import { Redis, type RedisOptions } from 'ioredis'
import { nanoid } from 'nanoid'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { z } from 'zod'
import type { CatalogChange, CatalogSnapshot } from '../domain/catalog.js'
import type { Divergence, Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductDefinition } from '../domain/product.js'
import type { LineOf } from '../domain/stock-state.js'
import { LAPSED_LINES_KEPT_MS, NEVER, type ProductInput } from '../domain/stockroom.js'
import { UnknownProductError } from '../domain/unknown-product-error.js'
import { silentLogger, type Logger } from '../logger.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'
import { RedisEvictsKeysError } from './redis-evicts-keys-error.js'
import { RedisTooOldError } from './redis-too-old-error.js'
import {
  adjustReply,
  applyReply,
  cancelReply,
  cartReply,
  catalogReply,
  channelMessage,
  checkoutReply,
  holdsReply,
  movementReply,
  orderReply,
  putReply,
  releaseReply,
  scriptReply,
} from './redis-replies.js'
import {
  ADJUST_SCRIPT,
  APPLY_SCRIPT,
  CANCEL_SCRIPT,
  CART_SCRIPT,
  CHECKOUT_SCRIPT,
  EXPIRE_SCRIPT,
  HOLDS_SCRIPT,
  PUT_PRODUCT_SCRIPT,
  READ_SCRIPT,
  RELEASE_SCRIPT,
  SEED_SCRIPT,
} from './redis-scripts.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import { StoreUnusableError } from './store-unusable-error.js'
import { verifyLedger } from './verify-ledger.js'
import {
  ADMIN_KEYS,
  commandOf,
  holdEndNow,
  IDEMPOTENCY_KEY_TTL_MS,
  operationOf,
  storeDefaults,
  type AdjustResult,
  type CancelResult,
  type CartCommand,
  type CartResult,
  type CartView,
  type ChangeListener,
  type CheckoutResult,
  type MovementQuery,
  type PutResult,
  type ReleaseResult,
  SHOPPER_KEYS,
  type Store,
  type StoreOptions,
} from './store.js'

/** `catalog` is what the first process to use these keys seeds them with. */
export interface RedisStoreOptions extends StoreOptions {
  readonly url: string
  /** Put before every key, and the channel, so that several shops or test runs can share one Redis. */
  readonly keyPrefix: string
  /** How long a command may take before the store counts as unavailable. */
  readonly commandTimeoutMs?: number
  /** How long `check()` waits for its test message to come back through the change channel. */
  readonly canaryTimeoutMs?: number
  /** How long to wait before reconnecting, after the given number of failed attempts. */
  readonly reconnectDelayMs?: (attempt: number) => number
}

const DEFAULT_COMMAND_TIMEOUT_MS = 2000
const DEFAULT_CANARY_TIMEOUT_MS = 1000
const defaultReconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, 1000)
/** How many lines one run of the expiry script lapses or forgets at most, so that no run blocks Redis long. */
const EXPIRE_BATCH = 1000
/** How often, at most, the log says again that Redis is out of memory while changes keep failing for it. */
const OUT_OF_MEMORY_WARNING_MS = 60_000
/** The one `maxmemory-policy` under which Redis never drops a key to make room. */
const KEEPS_KEYS = 'noeviction'
/** The first Redis with script flags (see redis-scripts.ts). */
const OLDEST_REDIS = 7

const count = z.coerce.number().int()
const seedReply = z.tuple([z.enum(['kept', 'seeded'])]).rest(z.string())

/** The scripts, as commands of the connection: each is given the catalog's three keys, then its ARGV. */
const SCRIPTS = {
  stockSeed: SEED_SCRIPT,
  stockRead: READ_SCRIPT,
  stockCart: CART_SCRIPT,
  stockHolds: HOLDS_SCRIPT,
  stockApply: APPLY_SCRIPT,
  stockExpire: EXPIRE_SCRIPT,
  stockCheckout: CHECKOUT_SCRIPT,
  stockPut: PUT_PRODUCT_SCRIPT,
  stockAdjust: ADJUST_SCRIPT,
  stockRelease: RELEASE_SCRIPT,
  stockCancel: CANCEL_SCRIPT,
}

type ScriptName = keyof typeof SCRIPTS
type CommandConnection = Redis & Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>

/** Splits a flat list into rows of `size`. */
function rows<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i + size <= values.length; i += size) result.push(values.slice(i, i + size))
  return result
}

/**
 * The catalog, every cart, the orders and the ledger in Redis, shared by every process that uses the same URL
 * and prefix. Each operation is one Lua script, so it is atomic across processes, and writes its movements in
 * the same step; each change is published on a channel in that step too, and every store hears it on a
 * second, subscribed connection. After either connection comes back from
 * an outage the store reads the catalog again and reports it, so changes made meanwhile reach its listeners.
 */
export class RedisStore implements Store {
  readonly #commands: CommandConnection
  readonly #subscriber: Redis
  readonly #prefix: string
  /** The keys of the catalog as a whole, which every script is given: epoch, version, SKUs. */
  readonly #catalogKeys: readonly [string, string, string]
  readonly #channel: string
  readonly #definitions: readonly ProductDefinition[]
  readonly #options: ReturnType<typeof storeDefaults>
  readonly #listeners = new Set<ChangeListener>()
  readonly #canaryTimeoutMs: number
  /** What to call when each test message this store sent comes back, by its id. */
  readonly #canaries = new Map<string, () => void>()
  readonly #retryDelayMs: (attempt: number) => number
  readonly #logger: Logger
  readonly #url: string
  /** Whether the log said that Redis would not tell its eviction policy. */
  #toldPolicyUnknown = false
  /** When the log last said that Redis is out of memory. */
  #toldOutOfMemoryAt = Number.NEGATIVE_INFINITY
  #closed = false
  /** Whether the subscriber is subscribed to the change channel now. */
  #subscribed = true
  /** Whether a change may have been missed: a connection was lost, and the catalog not read again since. */
  #behind = false
  /** Connections lost so far: a re-read catches up only if none was lost while it ran. */
  #losses = 0
  #catchingUp = false
  /** Ends the wait before the next attempt to catch up: a connection is back, so try at once. */
  #tryNow = () => {}

  private constructor(commands: CommandConnection, subscriber: Redis, options: RedisStoreOptions) {
    this.#commands = commands
    this.#subscriber = subscriber
    const prefix = (this.#prefix = options.keyPrefix)
    this.#catalogKeys = [`${prefix}epoch`, `${prefix}version`, `${prefix}skus`]
    this.#channel = `${prefix}changes`
    this.#options = storeDefaults(options)
    this.#definitions = this.#options.catalog
    this.#canaryTimeoutMs = options.canaryTimeoutMs ?? DEFAULT_CANARY_TIMEOUT_MS
    this.#retryDelayMs = options.reconnectDelayMs ?? defaultReconnectDelay
    this.#logger = options.logger ?? silentLogger
    this.#url = redactedUrl(options.url)
  }

  /**
   * Connects, seeds the catalog if this is the first process on these keys (or its keys were lost), and
   * subscribes; throws `StoreUnavailableError` when Redis cannot be reached, and, before writing anything,
   * `RedisTooOldError` for a Redis before 7 and `RedisEvictsKeysError` for one set to evict keys. A catalog already there is kept as it is, with one warning
   * when this process's own differs from it.
   */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const connection = {
      lazyConnect: true,
      // Fail at once while disconnected, rather than queue the command and leave the request hanging.
      enableOfflineQueue: false,
      // A command whose reply was lost is not sent again behind the back of a client already told 503.
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      retryStrategy: options.reconnectDelayMs ?? defaultReconnectDelay,
      // Resubscribing is done by the store itself, so that it knows when to re-read (see #catchUp).
      autoResubscribe: false,
    } satisfies RedisOptions
    const commands = new Redis(options.url, { ...connection, connectionName: `${options.keyPrefix}commands` })
    for (const [name, lua] of Object.entries(SCRIPTS)) commands.defineCommand(name, { numberOfKeys: 3, lua })
    const subscriber = new Redis(options.url, { ...connection, connectionName: `${options.keyPrefix}subscriber` })
    // Failures to connect are reported by connect() below, and later outages by reportOutages: one line
    // when a connection is lost and one when it is back, not one per attempt to reconnect.
    const quiet = () => {}
    commands.on('error', quiet)
    subscriber.on('error', quiet)

    const store = new RedisStore(commands as CommandConnection, subscriber, options)
    try {
      await Promise.all([commands.connect(), subscriber.connect()])
      await store.#assertNewEnough()
      await store.#assertKeepsKeys()
      // Seeds before subscribing, so that its listeners hear of changes to the catalog, not of its coming
      // into being.
      await store.#seed()
      await subscriber.subscribe(store.#channel)
    } catch (error) {
      commands.disconnect()
      subscriber.disconnect()
      if (error instanceof StoreUnusableError) throw error
      throw new StoreUnavailableError(`cannot reach Redis at ${store.#url}: ${String(error)}`, { cause: error })
    }
    subscriber.on('message', (_channel: string, message: string) => store.#hear(message))
    subscriber.on('close', () => store.#lost(subscriber))
    commands.on('close', () => store.#lost(commands))
    subscriber.on('ready', () => void store.#catchUp())
    commands.on('ready', () => void store.#catchUp())
    reportOutages(commands, 'command', store.#logger)
    reportOutages(subscriber, 'subscriber', store.#logger)
    return store
  }

  async catalog(skus?: readonly string[]): Promise<CatalogSnapshot> {
    const { epoch, version, products } = await this.#snapshot(skus ?? [])
    return { epoch, version, products }
  }

  async cart(session: string): Promise<CartView> {
    const { epoch, version, lines } = cartReply.parse(this.#json(await this.#read('stockCart', session)))
    return {
      epoch,
      version,
      lines: lines.map(({ sku, quantity, ends, lapsed, product }) => ({
        sku,
        quantity,
        holdUntil: lapsed ? null : ends,
        lapsed,
        product,
      })),
    }
  }

  async apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult> {
    const { session, sku, request, address } = command
    const end = holdEndNow(this.#options.holds)
    const { maxPerSession, maxPerAddress } = this.#options.rules
    return this.#change(applyReply, 'stockApply', SHOPPER_KEYS, idempotencyKey, commandOf(command), [
      sku,
      session,
      request.action,
      request.action === 'set' ? request.quantity : 0,
      end === NEVER ? '+inf' : end,
      maxPerSession,
      maxPerAddress ?? 0,
      address ?? '',
    ])
  }

  async expireHolds(): Promise<void> {
    const forgetBefore = this.#now() - LAPSED_LINES_KEPT_MS
    // Under no idempotency key: a change without a key, a scope, a command or a time to keep it.
    const run = () => this.#read('stockExpire', '', '', '', 0, EXPIRE_BATCH, forgetBefore)
    while (count.parse(await run()) === EXPIRE_BATCH);
  }

  async checkout(session: string, idempotencyKey?: string): Promise<CheckoutResult> {
    return this.#change(
      checkoutReply,
      'stockCheckout',
      SHOPPER_KEYS,
      idempotencyKey,
      operationOf('checkout', session),
      [session, nanoid()],
    )
  }

  async order(id: string): Promise<Order | undefined> {
    const order = await this.#run(() => this.#commands.get(`${this.#prefix}order:${id}`))
    return order === null ? undefined : orderReply.parse(this.#json(order))
  }

  async putProduct(input: ProductInput, idempotencyKey?: string): Promise<PutResult> {
    const { sku, name, onHand, expected } = input
    return this.#change(putReply, 'stockPut', ADMIN_KEYS, idempotencyKey, operationOf('put', input), [
      sku,
      name,
      onHand,
      expected ?? '',
    ])
  }

  async adjust(sku: string, delta: number, reason: string, idempotencyKey?: string): Promise<AdjustResult> {
    const operation = operationOf('adjust', sku, delta, reason)
    return this.#change(adjustReply, 'stockAdjust', ADMIN_KEYS, idempotencyKey, operation, [sku, delta, reason])
  }

  async holds(sku: string): Promise<LineOf[]> {
    const lines = holdsReply.parse(this.#json(await this.#read('stockHolds', sku)))
    return lines.map(({ session, quantity, ends, lapsed, address }) => ({
      session,
      sku,
      quantity,
      until: ends ?? NEVER,
      lapsed,
      ...(address !== null && { address }),
    }))
  }

  async releaseHold(sku: string, session: string, idempotencyKey?: string): Promise<ReleaseResult> {
    const operation = operationOf('release', sku, session)
    return this.#change(releaseReply, 'stockRelease', ADMIN_KEYS, idempotencyKey, operation, [sku, session])
  }

  async cancelOrder(id: string, idempotencyKey?: string): Promise<CancelResult> {
    return this.#change(cancelReply, 'stockCancel', ADMIN_KEYS, idempotencyKey, operationOf('cancel', id), [id])
  }

  /**
   * The ledger is only ever appended to, its seqs without gaps, so a page needs no script: the seqs after
   * `after` are read straight from the ledger, or from the product's list of its own.
   */
  async movements({ sku, after, limit }: MovementQuery): Promise<Movement[]> {
    const seqs =
      sku === undefined
        ? Array.from({ length: limit }, (_, i) => String(after + 1 + i))
        : await this.#run(() =>
            this.#commands.zrangebyscore(`${this.#prefix}ledger:{${sku}}`, `(${after}`, '+inf', 'LIMIT', 0, limit),
          )
    if (seqs.length === 0) return []
    const entries = await this.#run(() => this.#commands.hmget(`${this.#prefix}ledger`, ...seqs))
    return entries.flatMap((entry) => (entry === null ? [] : [movementReply.parse(this.#json(entry))]))
  }

  /** Takes the ledger's last seq and every product's counters in one step (one script), then replays. */
  async verify(): Promise<Divergence | undefined> {
    return verifyLedger(await this.#snapshot([]), (after, limit) => this.movements({ after, limit }))
  }

  /** The products `skus` names, or all, with the epoch, the version and the ledger's last seq. */
  async #snapshot(skus: readonly string[]) {
    return catalogReply.parse(this.#json(await this.#read('stockRead', ...skus)))
  }

  /**
   * Counted by a script on the command connection, under this store's prefix. While Redis is out of reach
   * (not connected, or not answering within the command timeout) this process counts alone, in memory, so
   * that limits still hold, if less tightly; the action itself then fails with the store anyway.
   */
  rateLimiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.#commands,
      keyPrefix: `${this.#prefix}limit:${name}`,
      points,
      duration: durationSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds }),
    })
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Proves the whole path a change takes: a test message published on the change channel must come back
   * through this store's subscription within `canaryTimeoutMs`. A subscriber whose connection silently
   * stopped carrying messages still looks connected and answers nothing wrong; only this notices it.
   */
  async check(): Promise<void> {
    if (this.#subscriber.status !== 'ready') throw new StoreUnavailableError('not subscribed to the change channel')
    if (this.#behind) throw new StoreUnavailableError('reading the stock again after a Redis connection was lost')
    await this.#assertKeepsKeys().catch((error: unknown) => {
      throw error instanceof RedisEvictsKeysError ? new StoreUnavailableError(error.message) : error
    })
    const id = nanoid()
    let timer: NodeJS.Timeout | undefined
    const heard = new Promise<void>((resolve, reject) => {
      this.#canaries.set(id, resolve)
      timer = setTimeout(() => {
        const message = `a test message on the change channel did not come back within ${this.#canaryTimeoutMs} ms`
        reject(new StoreUnavailableError(message))
      }, this.#canaryTimeoutMs)
    })
    // It may time out while the publish is still under way, before anything awaits it.
    heard.catch(() => {})
    try {
      await this.#run(() => this.#commands.publish(this.#channel, JSON.stringify({ canary: id })))
      await heard
    } finally {
      clearTimeout(timer)
      this.#canaries.delete(id)
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#listeners.clear()
    this.#commands.disconnect()
    this.#subscriber.disconnect()
  }

  async #assertNewEnough(): Promise<void> {
    const version = /^redis_version:(\S+)/m.exec(await this.#commands.info('server'))?.[1] ?? ''
    if (Number.parseInt(version, 10) >= OLDEST_REDIS) return
    throw new RedisTooOldError(
      `Redis at ${this.#url} is version ${version || 'unknown'}: stockpoll needs Redis ${OLDEST_REDIS} or newer`,
    )
  }

  /**
   * Throws `RedisEvictsKeysError` when Redis is set to evict keys once its memory is full: it would drop the
   * orders, the ledger and the idempotency keys, and even the catalog, which would be seeded again and its
   * stock sold twice. A Redis that will not tell (a managed one may refuse `CONFIG`) is trusted, with a
   * warning, once, of what to check by hand.
   */
  async #assertKeepsKeys(): Promise<void> {
    let policy: string | undefined
    try {
      policy = (await this.#commands.config('GET', 'maxmemory-policy'))[1]
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ReplyError')) throw error
      if (!this.#toldPolicyUnknown) {
        this.#toldPolicyUnknown = true
        this.#logger.warn(
          `Redis at ${this.#url} did not say its maxmemory-policy (${error.message}): check by hand that it is ` +
            `${KEEPS_KEYS}, or Redis may evict orders and stock when its memory is full`,
        )
      }
      return
    }
    if (policy === undefined || policy === KEEPS_KEYS) return
    throw new RedisEvictsKeysError(
      `Redis at ${this.#url} evicts keys when its memory is full (maxmemory-policy ${policy}): it would lose ` +
        `orders and sell stock twice. Set maxmemory-policy ${KEEPS_KEYS} (in redis.conf, and at once with ` +
        `redis-cli CONFIG SET maxmemory-policy ${KEEPS_KEYS}); a full Redis then refuses changes, which stockpoll ` +
        'answers with 503, and loses nothing',
    )
  }

  /**
   * Seeds the catalog (see SEED_SCRIPT), or keeps the one there; warns once when this process's catalog is
   * not the one kept.
   */
  async #seed(): Promise<void> {
    const definitions = this.#definitions.flatMap(({ sku, name, onHand }) => [sku, name, onHand])
    const [status, ...kept] = seedReply.parse(
      await this.#run(() => this.#commands.stockSeed(...this.#args(), nanoid(), ...definitions)),
    )
    if (status === 'seeded') return
    const stored = rows(kept, 2).map(([sku, name]) => `${sku}\u0000${name}`)
    const own = this.#definitions.map(({ sku, name }) => `${sku}\u0000${name}`)
    if (stored.length !== own.length || stored.some((entry, i) => entry !== own[i])) {
      this.#logger.warn(
        { stored: stored.length, own: own.length },
        'the catalog in Redis is not the one this process was given; serving the one in Redis',
      )
    }
  }

  /** The keys and the first ARGV every script is given: the prefix, the change channel, and now. */
  #args(): (string | number)[] {
    return [...this.#catalogKeys, this.#prefix, this.#channel, this.#now()]
  }

  #now(): number {
    return this.#options.holds.clock.now()
  }

  /**
   * Runs a script; one that finds the catalog lost (`lost`) seeds it again, in a new epoch, and runs once
   * more. A SKU the catalog lacks is an `UnknownProductError`, an idempotency key used for another command an
   * `IdempotencyKeyReusedError`. Gives the reply, and whether it was given before.
   */
  async #script(name: ScriptName, args: readonly (string | number)[]): Promise<{ reply: unknown; replayed: boolean }> {
    const call = () => this.#commands[name](...this.#args(), ...args)
    let reply = scriptReply.parse(await this.#run(call))
    if (reply[0] === 'lost') {
      await this.#seed()
      reply = scriptReply.parse(await this.#run(call))
    }
    switch (reply[0]) {
      case 'lost':
        throw new StoreUnavailableError('the catalog in Redis keeps being lost')
      case 'unknown':
        throw new UnknownProductError(reply[1])
      case 'reused':
        throw new IdempotencyKeyReusedError()
      default:
        return { reply: reply[1], replayed: reply[0] === 'replayed' }
    }
  }

  /** A script that reads: its reply. */
  async #read(name: ScriptName, ...args: readonly (string | number)[]): Promise<unknown> {
    return (await this.#script(name, args)).reply
  }

  /**
   * A script that changes the stock, at most once under an idempotency key among `scope`'s (compared by
   * `command`): its reply read with `schema`, marked replayed when it is the first reply given again.
   */
  async #change<T extends object>(
    schema: z.ZodType<T>,
    name: ScriptName,
    scope: string,
    idempotencyKey: string | undefined,
    command: string,
    args: readonly (string | number)[],
  ): Promise<T & { readonly replayed?: true }> {
    const once = [idempotencyKey ?? '', scope, command, IDEMPOTENCY_KEY_TTL_MS]
    const { reply, replayed } = await this.#script(name, [...once, ...args])
    const answer = schema.parse(this.#json(reply))
    return replayed ? { ...answer, replayed: true } : answer
  }

  /** A script's JSON reply, or the text of a key written by one. */
  #json(text: unknown): unknown {
    return typeof text === 'string' ? parseJson(text) : text
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      // Redis refuses a script's first write when it is full, so a refused change wrote nothing.
      if (why.startsWith('OOM')) this.#tellOutOfMemory()
      throw new StoreUnavailableError(`Redis did not answer: ${why}`, { cause: error })
    }
  }

  #tellOutOfMemory(): void {
    const now = Date.now()
    if (now - this.#toldOutOfMemoryAt < OUT_OF_MEMORY_WARNING_MS) return
    this.#toldOutOfMemoryAt = now
    this.#logger.warn(
      `Redis at ${this.#url} is out of memory (maxmemory reached): changes are refused with 503 until it has room`,
    )
  }

  #hear(message: string): void {
    const parsed = channelMessage.safeParse(parseJson(message))
    if (!parsed.success) {
      this.#logger.warn({ channel: this.#channel, message }, 'ignored a malformed change message')
    } else if ('canary' in parsed.data) {
      this.#canaries.get(parsed.data.canary)?.()
    } else if ('products' in parsed.data) {
      this.#tell(parsed.data)
    } else {
      // A catalog seeded anew: every product is new to the listeners, and too many to publish.
      this.catalog().then(
        (catalog) => this.#tell(catalog),
        () => this.#lost(this.#commands),
      )
    }
  }

  #lost(connection: Redis): void {
    if (this.#closed) return
    this.#losses++
    this.#behind = true
    if (connection === this.#subscriber) this.#subscribed = false
  }

  /**
   * After a reconnect: subscribe again if the subscriber was lost, then read the catalog again and report it,
   * since changes published while a connection was down never reached this process. Subscribing first
   * leaves no gap. A step that fails (the other connection is still down, or Redis is too slow to answer, as
   * during a failover) is tried again, ever less often, for as long as it takes: until then the store is not
   * ready, and its listeners may hold a stale stock.
   */
  async #catchUp(): Promise<void> {
    if (this.#catchingUp) return this.#tryNow()
    this.#catchingUp = true
    try {
      for (let attempt = 0; this.#behind && !this.#closed; attempt++) {
        if (attempt > 0) await this.#pause(this.#retryDelayMs(attempt))
        const losses = this.#losses
        try {
          if (!this.#subscribed) {
            await this.#subscriber.subscribe(this.#channel)
            this.#subscribed = true
          }
          this.#tell(await this.catalog())
          if (losses === this.#losses) this.#behind = false
        } catch {
          // Tried again after a while, as said above.
        }
      }
    } finally {
      this.#catchingUp = false
    }
  }

  async #pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      this.#tryNow = resolve
      timer = setTimeout(resolve, ms)
    })
    clearTimeout(timer)
  }

  #tell(change: CatalogChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}

function reportOutages(connection: Redis, role: string, logger: Logger): void {
  let lost = false
  // 'reconnecting', unlike 'close', is not emitted when the store itself closes the connection.
  connection.on('reconnecting', () => {
    if (lost) return
    lost = true
    logger.warn(`lost the Redis ${role} connection; reconnecting`)
  })
  connection.on('ready', () => {
    if (!lost) return
    lost = false
    logger.warn(`the Redis ${role} connection is back`)
  })
}

/** The value of a JSON text, or undefined when it is not JSON: anyone with access to Redis can publish. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function redactedUrl(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}
