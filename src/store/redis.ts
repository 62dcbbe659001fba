import { Redis, type RedisOptions } from 'ioredis'
import { nanoid } from 'nanoid'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { z } from 'zod'
import type { Catalog } from '../domain/catalog.js'
import type { Refusal } from '../domain/cart-rules.js'
import type { ProductDefinition, ProductStock } from '../domain/product.js'
import { NEVER } from '../domain/stockroom.js'
import { UnknownProductError } from '../domain/unknown-product-error.js'
import { silentLogger, type Logger } from '../logger.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'
import { APPLY_SCRIPT, CART_SCRIPT, EXPIRE_SCRIPT, READ_SCRIPT, SEED_SCRIPT } from './redis-scripts.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import {
  commandOf,
  holdEndNow,
  IDEMPOTENCY_KEY_TTL_MS,
  storeDefaults,
  type CartCommand,
  type CartLine,
  type CartResult,
  type CartView,
  type ChangeListener,
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
/** How many lapsed holds one run of the expiry script returns at most, so that no run blocks Redis long. */
const EXPIRE_BATCH = 1000

const count = z.coerce.number().int()
/** A product as the scripts answer it: sku, name, onHand, held, version. */
const productFields = z.tuple([z.string(), z.string(), count, count, count])
const productOf = ([sku, name, onHand, held, version]: z.infer<typeof productFields>): ProductStock => ({
  sku,
  name,
  onHand,
  held,
  version,
})
/** What a script answers when it cannot do what it was asked. */
const unknownReply = z.tuple([z.literal('unknown'), z.string()])
const lostReply = z.tuple([z.literal('lost')])
const readReply = z.tuple([z.literal('ok'), z.string(), count]).rest(z.union([z.string(), count]))
const applyReply = z.tuple([
  z.enum(['ok', 'refused']),
  count,
  z.string(),
  count,
  z.string(),
  count,
  count,
  count,
  z.union([z.string(), count]),
  count,
])
const seedReply = z.tuple([z.enum(['kept', 'seeded'])]).rest(z.string())

const productChange = z.object({
  sku: z.string(),
  name: z.string(),
  onHand: count,
  held: count,
  version: count,
})
/** What the change channel carries: a change, a catalog seeded anew, or a test message of `check()`. */
const channelMessage = z.union([
  z.object({ epoch: z.string(), version: count, products: z.array(productChange) }),
  z.object({ epoch: z.string(), version: count, reset: z.literal(true) }),
  z.object({ canary: z.string() }),
])

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>

interface ScriptCommands {
  stockSeed: ScriptCall
  stockRead: ScriptCall
  stockCart: ScriptCall
  stockApply: ScriptCall
  stockExpire: ScriptCall
}

type CommandConnection = Redis & ScriptCommands

/** Splits a flat list into rows of `size`. */
function rows<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i + size <= values.length; i += size) result.push(values.slice(i, i + size))
  return result
}

/**
 * The catalog and every cart in Redis, shared by every process that uses the same URL and prefix. Each action
 * is one Lua script, so it is atomic across processes; each change is published on a channel in the same
 * step, and every store hears it on a second, subscribed connection. After either connection comes back from
 * an outage the store reads the catalog again and reports it, so changes made meanwhile reach its listeners.
 */
export class RedisStore implements Store {
  readonly #commands: CommandConnection
  readonly #subscriber: Redis
  readonly #prefix: string
  /** The keys of the catalog as a whole: epoch, version, SKUs. */
  readonly #catalogKeys: readonly [string, string, string]
  readonly #expiriesKey: string
  readonly #channel: string
  readonly #definitions: readonly ProductDefinition[]
  readonly #options: ReturnType<typeof storeDefaults>
  readonly #listeners = new Set<ChangeListener>()
  readonly #canaryTimeoutMs: number
  /** What to call when each test message this store sent comes back, by its id. */
  readonly #canaries = new Map<string, () => void>()
  readonly #retryDelayMs: (attempt: number) => number
  readonly #logger: Logger
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
    this.#expiriesKey = `${prefix}expiries`
    this.#channel = `${prefix}changes`
    this.#options = storeDefaults(options)
    this.#definitions = this.#options.catalog
    this.#canaryTimeoutMs = options.canaryTimeoutMs ?? DEFAULT_CANARY_TIMEOUT_MS
    this.#retryDelayMs = options.reconnectDelayMs ?? defaultReconnectDelay
    this.#logger = options.logger ?? silentLogger
  }

  /**
   * Connects, seeds the catalog if this is the first process on these keys (or its keys were lost), and
   * subscribes; throws `StoreUnavailableError` when Redis cannot be reached. A catalog already there is kept
   * as it is, with one warning when this process's own differs from it.
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
    commands.defineCommand('stockSeed', { numberOfKeys: 3, lua: SEED_SCRIPT })
    commands.defineCommand('stockRead', { numberOfKeys: 3, lua: READ_SCRIPT })
    commands.defineCommand('stockCart', { numberOfKeys: 5, lua: CART_SCRIPT })
    commands.defineCommand('stockApply', { numberOfKeys: 10, lua: APPLY_SCRIPT })
    commands.defineCommand('stockExpire', { numberOfKeys: 4, lua: EXPIRE_SCRIPT })
    const subscriber = new Redis(options.url, { ...connection, connectionName: `${options.keyPrefix}subscriber` })
    // Failures to connect are reported by connect() below, and later outages by reportOutages: one line
    // when a connection is lost and one when it is back, not one per attempt to reconnect.
    const quiet = () => {}
    commands.on('error', quiet)
    subscriber.on('error', quiet)

    const store = new RedisStore(commands as CommandConnection, subscriber, options)
    try {
      await Promise.all([commands.connect(), subscriber.connect()])
      // Seeds before subscribing, so that its listeners hear of changes to the catalog, not of its coming
      // into being.
      await store.#seed()
      await subscriber.subscribe(store.#channel)
    } catch (error) {
      commands.disconnect()
      subscriber.disconnect()
      throw new StoreUnavailableError(`cannot reach Redis at ${redactedUrl(options.url)}: ${String(error)}`, {
        cause: error,
      })
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

  async catalog(skus?: readonly string[]): Promise<Catalog> {
    const reply = await this.#script(() =>
      this.#commands.stockRead(...this.#catalogKeys, this.#prefix, ...(skus ?? [])),
    )
    const [, epoch, version, ...fields] = readReply.parse(reply)
    return { epoch, version, products: rows(fields, 5).map((row) => productOf(productFields.parse(row))) }
  }

  async cart(session: string): Promise<CartView> {
    const reply = await this.#script(() =>
      this.#commands.stockCart(
        ...this.#catalogKeys,
        this.#expiriesKey,
        this.#key('cart:', session),
        this.#prefix,
        session,
      ),
    )
    const [, epoch, version, ...fields] = readReply.parse(reply)
    const lines = rows(fields, 8)
      .map((row) => z.tuple([z.string(), count, count, count, z.string(), count, count, count]).parse(row))
      .sort((a, b) => a[1] - b[1])
      .map(([sku, , quantity, until, ...product]): CartLine => ({
        sku,
        quantity,
        holdUntil: until || null,
        product: productOf([sku, ...product]),
      }))
    return { epoch, version, lines }
  }

  async apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult> {
    const { session, sku, request, address } = command
    const end = holdEndNow(this.#options.holds)
    const { maxPerSession, maxPerAddress } = this.#options.rules
    const reply = await this.#script(() =>
      this.#commands.stockApply(
        ...this.#catalogKeys,
        this.#expiriesKey,
        this.#key('product:', sku),
        this.#key('lines:', sku),
        this.#key('addresses:', sku),
        this.#key('units:', sku),
        this.#key('cart:', session),
        idempotencyKey === undefined ? '' : this.#key('once:', idempotencyKey),
        this.#prefix,
        this.#channel,
        sku,
        session,
        request.action,
        request.action === 'set' ? request.quantity : 0,
        end === NEVER ? '+inf' : end,
        maxPerSession,
        maxPerAddress ?? 0,
        address ?? '',
        commandOf(command),
        IDEMPOTENCY_KEY_TTL_MS,
      ),
    )
    if (Array.isArray(reply) && reply[0] === 'reused') throw new IdempotencyKeyReusedError()
    const [status, replay, epoch, version, name, onHand, held, productVersion, a, b] = applyReply.parse(reply)
    const product = { sku, name, onHand, held, version: productVersion }
    const replayed = replay === 1 ? ({ replayed: true } as const) : {}
    if (status === 'refused') {
      const refusal = { error: String(a), ...(a === 'sold_out' ? { available: b } : { limit: b }) } as Refusal
      return { epoch, version, ok: false, refusal, product, ...replayed }
    }
    const quantity = Number(a)
    const line = { sku, quantity, holdUntil: quantity > 0 && b > 0 ? b : null, product }
    return { epoch, version, ok: true, line, ...replayed }
  }

  async expireHolds(): Promise<void> {
    const now = this.#options.holds.clock.now()
    for (;;) {
      const ended = await this.#script(() =>
        this.#commands.stockExpire(
          ...this.#catalogKeys,
          this.#expiriesKey,
          this.#prefix,
          this.#channel,
          now,
          EXPIRE_BATCH,
        ),
      )
      if (count.parse(ended) < EXPIRE_BATCH) return
    }
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

  #key(kind: string, name: string): string {
    return kind === 'cart:' || kind === 'once:' ? `${this.#prefix}${kind}${name}` : `${this.#prefix}${kind}{${name}}`
  }

  /**
   * Seeds the catalog (see SEED_SCRIPT), or keeps the one there; warns once when this process's catalog is
   * not the one kept.
   */
  async #seed(): Promise<void> {
    const definitions = this.#definitions.flatMap(({ sku, name, onHand }) => [sku, name, onHand])
    const [status, ...kept] = seedReply.parse(
      await this.#run(() =>
        this.#commands.stockSeed(...this.#catalogKeys, this.#prefix, nanoid(), this.#channel, ...definitions),
      ),
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

  /**
   * Runs a script; one that finds the catalog lost (`lost`) seeds it again, in a new epoch, and runs once
   * more. A SKU the catalog lacks is an `UnknownProductError`.
   */
  async #script(call: () => Promise<unknown>): Promise<unknown> {
    let reply = await this.#run(call)
    if (lostReply.safeParse(reply).success) {
      await this.#seed()
      reply = await this.#run(call)
    }
    const unknown = unknownReply.safeParse(reply)
    if (unknown.success) throw new UnknownProductError(unknown.data[1])
    if (lostReply.safeParse(reply).success) throw new StoreUnavailableError('the catalog in Redis keeps being lost')
    return reply
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      throw new StoreUnavailableError(
        `Redis did not answer: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      )
    }
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

  #tell(change: Catalog): void {
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
