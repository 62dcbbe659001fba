import { Redis, type RedisOptions } from 'ioredis'
import { nanoid } from 'nanoid'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { z } from 'zod'
import { DEFAULT_TOTAL_INVENTORY, NEVER, type CartAction } from '../domain/shopping-cart.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'
import { silentLogger, type Logger } from '../logger.js'
import { APPLY_SCRIPT, EXPIRE_SCRIPT, VIEW_SCRIPT } from './redis-scripts.js'
import {
  commandOf,
  holdEndNow,
  IDEMPOTENCY_KEY_TTL_MS,
  holdsNeverExpire,
  type CartResult,
  type ChangeListener,
  type HoldPolicy,
  type SessionView,
  type Store,
  type StoreOptions,
} from './store.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

/** `totalInventory` is the stock to start with, if this is the first process to use these keys. */
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

/** What a script answers: the stock, then whether the session holds a unit and until when. */
const viewReply = z.tuple([z.number(), z.number(), z.number(), z.string(), z.number(), z.number()])
const applyReply = z.tuple([
  z.number(),
  z.number(),
  z.number(),
  z.number(),
  z.string(),
  z.number(),
  z.number(),
  z.number(),
])
const publishedSnapshot = z.object({
  inventoryCount: z.number().int(),
  totalInventory: z.number().int(),
  version: z.number().int(),
  epoch: z.string(),
})
/** A test message `check()` sends itself through the change channel; every other store ignores it. */
const canaryMessage = z.object({ canary: z.string() })

/**
 * What every script is given first: the stock's keys, the total and a new epoch to create it with, and the
 * channel its changes go to.
 */
type StockArguments = readonly [
  ...keys: readonly [total: string, version: string, holders: string, epoch: string],
  initialTotal: number,
  newEpoch: string,
  channel: string,
]

interface ScriptCommands {
  stockView(...args: [...StockArguments, session: string]): Promise<unknown>
  stockApply(
    ...args: [
      ...StockArguments,
      action: CartAction,
      session: string,
      holdUntil: string,
      onceKey: string,
      command: string,
      onceTtlMs: number,
    ]
  ): Promise<unknown>
  stockExpire(...args: [...StockArguments, now: number]): Promise<unknown>
}

type CommandConnection = Redis & ScriptCommands

/**
 * The stock in Redis, shared by every process that uses the same URL and prefix. Each action is one Lua
 * script, so it is atomic across processes; each change is published on a channel in the same step, and
 * every store hears it on a second, subscribed connection. After either connection comes back from an
 * outage the store re-reads the stock and reports it, so changes made meanwhile reach its listeners.
 */
export class RedisStore implements Store {
  readonly #commands: CommandConnection
  readonly #subscriber: Redis
  readonly #keys: readonly [total: string, version: string, holders: string, epoch: string]
  readonly #channel: string
  /** Where each idempotency key's first result is kept, under the same prefix as the stock. */
  readonly #onceKeyPrefix: string
  /** Where the rate limiters keep their counts. */
  readonly #limitKeyPrefix: string
  readonly #totalInventory: number
  readonly #holds: HoldPolicy
  readonly #listeners = new Set<ChangeListener>()
  readonly #canaryTimeoutMs: number
  /** What to call when each test message this store sent comes back, by its id. */
  readonly #canaries = new Map<string, () => void>()
  readonly #retryDelayMs: (attempt: number) => number
  readonly #logger: Logger
  #closed = false
  /** Whether the subscriber is subscribed to the change channel now. */
  #subscribed = true
  /** Whether a change may have been missed: a connection was lost, and the stock not read again since. */
  #behind = false
  /** Connections lost so far: a re-read catches up only if none was lost while it ran. */
  #losses = 0
  #catchingUp = false
  /** Ends the wait before the next attempt to catch up: a connection is back, so try at once. */
  #tryNow = () => {}

  private constructor(commands: CommandConnection, subscriber: Redis, options: RedisStoreOptions) {
    this.#commands = commands
    this.#subscriber = subscriber
    const prefix = options.keyPrefix
    this.#keys = [`${prefix}total`, `${prefix}version`, `${prefix}holds`, `${prefix}epoch`]
    this.#channel = `${prefix}changes`
    this.#onceKeyPrefix = `${prefix}once:`
    this.#limitKeyPrefix = `${prefix}limit:`
    this.#totalInventory = options.totalInventory ?? DEFAULT_TOTAL_INVENTORY
    this.#holds = options.holds ?? holdsNeverExpire
    this.#canaryTimeoutMs = options.canaryTimeoutMs ?? DEFAULT_CANARY_TIMEOUT_MS
    this.#retryDelayMs = options.reconnectDelayMs ?? defaultReconnectDelay
    this.#logger = options.logger ?? silentLogger
  }

  /** Connects and subscribes; throws `StoreUnavailableError` when Redis cannot be reached. */
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
    commands.defineCommand('stockView', { numberOfKeys: 4, lua: VIEW_SCRIPT })
    commands.defineCommand('stockApply', { numberOfKeys: 4, lua: APPLY_SCRIPT })
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
      // Creates the stock if this is the first process, before subscribing, so that its listeners hear of
      // changes to it, not of its coming into being.
      await store.snapshot()
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

  async snapshot(): Promise<StockSnapshot> {
    return (await this.viewOf('')).snapshot
  }

  async viewOf(session: string): Promise<SessionView> {
    const [inventoryCount, totalInventory, version, epoch, holds, until] = viewReply.parse(
      await this.#run(() => this.#commands.stockView(...this.#stock(), session)),
    )
    return {
      snapshot: { inventoryCount, totalInventory, version, epoch },
      inCart: holds === 1,
      holdUntil: until || null,
    }
  }

  async apply(action: CartAction, session: string, idempotencyKey?: string): Promise<CartResult> {
    const end = holdEndNow(this.#holds)
    const holdUntil = end === NEVER ? '+inf' : String(end)
    const onceKey = idempotencyKey === undefined ? '' : `${this.#onceKeyPrefix}${idempotencyKey}`
    const [done, inventoryCount, totalInventory, version, epoch, holds, until, replay] = applyReply.parse(
      await this.#run(() =>
        this.#commands.stockApply(
          ...this.#stock(),
          action,
          session,
          holdUntil,
          onceKey,
          commandOf(action, session),
          IDEMPOTENCY_KEY_TTL_MS,
        ),
      ),
    )
    if (done === -1) throw new IdempotencyKeyReusedError()
    const snapshot = { inventoryCount, totalInventory, version, epoch }
    const replayed = replay === 1 ? ({ replayed: true } as const) : {}
    return done === 1
      ? { ok: true, snapshot, inCart: holds === 1, holdUntil: until || null, ...replayed }
      : { ok: false, error: 'sold_out', snapshot, ...replayed }
  }

  async expireHolds(): Promise<void> {
    await this.#run(() => this.#commands.stockExpire(...this.#stock(), this.#holds.clock.now()))
  }

  /**
   * Counted by a script on the command connection, under this store's prefix. While Redis is out of reach
   * (not connected, or not answering within the command timeout) this process counts alone, in memory, so
   * that limits still hold, if less tightly; the action itself then fails with the store anyway.
   */
  rateLimiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.#commands,
      keyPrefix: `${this.#limitKeyPrefix}${name}`,
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

  /**
   * The arguments every script starts with. The epoch is a fresh one each time: it is taken only when the
   * stock is created, and keys lost twice must not come back under the same epoch.
   */
  #stock(): StockArguments {
    return [...this.#keys, this.#totalInventory, nanoid(), this.#channel]
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
    const value = parseJson(message)
    const parsed = publishedSnapshot.safeParse(value)
    if (parsed.success) return this.#tell(parsed.data)
    const canary = canaryMessage.safeParse(value)
    if (canary.success) this.#canaries.get(canary.data.canary)?.()
    else this.#logger.warn({ channel: this.#channel, message }, 'ignored a malformed change message')
  }

  #lost(connection: Redis): void {
    if (this.#closed) return
    this.#losses++
    this.#behind = true
    if (connection === this.#subscriber) this.#subscribed = false
  }

  /**
   * After a reconnect: subscribe again if the subscriber was lost, then read the stock again and report it,
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
          this.#tell(await this.snapshot())
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

  #tell(snapshot: StockSnapshot): void {
    for (const listener of this.#listeners) listener(snapshot)
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
