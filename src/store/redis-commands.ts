import { nanoid } from 'nanoid'
import { z } from 'zod'
import type { ProductDefinition } from '../domain/product.js'
import { UnknownProductError } from '../domain/unknown-product-error.js'
import type { Logger } from '../logger.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'
import { RedisEvictsKeysError } from './redis-evicts-keys-error.js'
import { scriptReply } from './redis-replies.js'
import { SCRIPTS, type ScriptName } from './redis-scripts.js'
import type { RedisConnection } from './redis-server.js'
import { RedisTooOldError } from './redis-too-old-error.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import type { Clock } from '../clock.js'

/** How often, at most, the log says again that Redis is out of memory while changes keep failing for it. */
const OUT_OF_MEMORY_WARNING_MS = 60_000
/** The one `maxmemory-policy` under which Redis never drops a key to make room. */
const KEEPS_KEYS = 'noeviction'
/** The first Redis with script flags (see redis-scripts.ts). */
const OLDEST_REDIS = 7

const seedReply = z.tuple([z.enum(['kept', 'seeded'])]).rest(z.string())

type CommandConnection = RedisConnection & Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>

export interface RedisCommandsOptions {
  readonly connection: RedisConnection
  readonly keyPrefix: string
  /** Which Redis it is, for messages (see describeServer). */
  readonly where: string
  /**
   * How many replicas must have a checkout or an admin write before it is answered, and the connection such
   * writes are made on: one of their own, since `WAIT` holds up every command sent after it on its connection.
   */
  readonly replicated: { readonly replicas: number; readonly connection: RedisConnection } | undefined
  /** Whether the store can tell which master it runs on (see `adoptMaster`): not on a cluster. */
  readonly knowsItsMaster: boolean
  readonly commandTimeoutMs: number
  readonly catalog: readonly ProductDefinition[]
  readonly clock: Clock
  readonly logger: Logger
}

/**
 * The store's command connection: its scripts, each run with the catalog's keys and the common arguments, and
 * what the store checks of the Redis it runs on. Anyone with access to Redis can write its keys, so each
 * reply is read with zod, as input.
 */
export class RedisCommands {
  readonly connection: CommandConnection
  readonly prefix: string
  /** The change channel, on which every change is published in the script that makes it. */
  readonly channel: string
  readonly where: string
  readonly #keys: readonly string[]
  readonly #replicated: { readonly replicas: number; readonly connection: CommandConnection } | undefined
  /** Within the command timeout, so that a reply of too few replicas comes back rather than none. */
  readonly #waitTimeoutMs: number
  readonly #knowsItsMaster: boolean
  readonly #definitions: readonly ProductDefinition[]
  readonly #clock: Clock
  readonly #logger: Logger
  /** Whether the log said that Redis would not tell its eviction policy. */
  #toldPolicyUnknown = false
  /** When the log last said that Redis is out of memory. */
  #toldOutOfMemoryAt = Number.NEGATIVE_INFINITY

  constructor(options: RedisCommandsOptions) {
    const { connection, keyPrefix, where, catalog, clock, logger } = options
    const keys = ['epoch', 'version', 'skus', 'expiries', 'lapses', 'ledger', 'ledger:seq', 'orders', 'master']
    const withScripts = (each: RedisConnection) => {
      for (const [name, lua] of Object.entries(SCRIPTS)) each.defineCommand(name, { numberOfKeys: keys.length, lua })
      return each as CommandConnection
    }
    this.connection = withScripts(connection)
    this.prefix = keyPrefix
    this.channel = `${keyPrefix}changes`
    this.where = where
    this.#keys = keys.map((key) => `${keyPrefix}${key}`)
    this.#replicated = options.replicated && {
      replicas: options.replicated.replicas,
      connection: withScripts(options.replicated.connection),
    }
    this.#waitTimeoutMs = Math.floor(options.commandTimeoutMs / 2)
    this.#knowsItsMaster = options.knowsItsMaster
    this.#definitions = catalog
    this.#clock = clock
    this.#logger = logger
  }

  now(): number {
    return this.#clock.now()
  }

  /** Runs a command; any failure to get its reply is a `StoreUnavailableError`. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      // Redis refuses a writing script whole when it is full (see redis-scripts.ts): it wrote nothing.
      if (why.startsWith('OOM')) this.#tellOutOfMemory()
      throw new StoreUnavailableError(`Redis did not answer: ${why}`, { cause: error })
    }
  }

  /**
   * Runs a script; one that finds the catalog lost (`lost`) seeds it again, in a new epoch, and runs once
   * more. A SKU the catalog lacks is an `UnknownProductError`, an idempotency key used for another command an
   * `IdempotencyKeyReusedError`. A `replicated` write is answered once replicas have it (see `#confirm`).
   * Gives the reply, and whether it was given before.
   */
  async script(
    name: ScriptName,
    args: readonly (string | number)[],
    { replicated = false } = {},
  ): Promise<{ reply: unknown; replayed: boolean }> {
    const waited = replicated ? this.#replicated : undefined
    const connection = waited?.connection ?? this.connection
    const call = () => connection[name](...this.#args(), ...args)
    let reply = scriptReply.parse(await this.run(call))
    if (reply[0] === 'lost') {
      await this.seed()
      reply = scriptReply.parse(await this.run(call))
    }
    // A replayed reply too: the first may have been answered 503 before replicas had it.
    if (waited) await this.#confirm(waited)
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

  /**
   * Seeds the catalog (see seed.lua), or keeps the one there; warns once when this process's catalog is not
   * the one kept.
   */
  async seed(): Promise<void> {
    const definitions = this.#definitions.flatMap(({ sku, name, onHand }) => [sku, name, onHand])
    const [status, ...kept] = seedReply.parse(
      await this.run(() => this.connection.stockSeed(...this.#args(), nanoid(), ...definitions)),
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
   * Takes the catalog on for the master the connection reaches now (see adopt.lua): one that may lack the last
   * changes of the one before (promoted by a failover, or restarted from its files) goes on in a new epoch,
   * which every process and client reads afresh. Not on a cluster, whose nodes each have a replication id of
   * their own, and which of them holds the shop's keys is not the node `INFO` would ask.
   */
  async adoptMaster(): Promise<void> {
    if (!this.#knowsItsMaster) return
    const info = await this.run(() => this.connection.info('replication'))
    const replicationId = /^master_replid:(\S+)/m.exec(info)?.[1]
    if (replicationId === undefined) return
    const { reply } = await this.script('stockAdopt', [replicationId, nanoid()])
    if (reply !== 'renewed') return
    this.#logger.warn(
      `${this.where} is not the master that last kept the stock (a failover, or a restart): it may lack the last ` +
        'changes made there, so the stock goes on in a new epoch, and every client reads it afresh',
    )
  }

  /** Throws `RedisTooOldError` for a Redis before 7, whose scripts cannot carry the flags ours need. */
  async assertNewEnough(): Promise<void> {
    const info = await this.run(() => this.connection.info('server'))
    const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? ''
    if (Number.parseInt(version, 10) >= OLDEST_REDIS) return
    throw new RedisTooOldError(
      `${this.where} is version ${version || 'unknown'}: stockpoll needs Redis ${OLDEST_REDIS} or newer`,
    )
  }

  /**
   * Throws `RedisEvictsKeysError` when Redis is set to evict keys once its memory is full: it would drop the
   * orders, the ledger and the idempotency keys, and even the catalog, which would be seeded again and its
   * stock sold twice. A Redis that will not tell (a managed one may refuse `CONFIG`) is trusted, with a
   * warning, once, of what to check by hand.
   */
  async assertKeepsKeys(): Promise<void> {
    let policy: string | undefined
    try {
      policy = (await this.connection.config('GET', 'maxmemory-policy'))[1]
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ReplyError')) {
        throw new StoreUnavailableError(`Redis did not answer: ${String(error)}`, { cause: error })
      }
      if (!this.#toldPolicyUnknown) {
        this.#toldPolicyUnknown = true
        this.#logger.warn(
          `${this.where} did not say its maxmemory-policy (${error.message}): check by hand that it is ` +
            `${KEEPS_KEYS}, or Redis may evict orders and stock when its memory is full`,
        )
      }
      return
    }
    if (policy === undefined || policy === KEEPS_KEYS) return
    throw new RedisEvictsKeysError(
      `${this.where} evicts keys when its memory is full (maxmemory-policy ${policy}): it would lose ` +
        `orders and sell stock twice. Set maxmemory-policy ${KEEPS_KEYS} (in redis.conf, and at once with ` +
        `redis-cli CONFIG SET maxmemory-policy ${KEEPS_KEYS}); a full Redis then refuses changes, which stockpoll ` +
        'answers with 503, and loses nothing',
    )
  }

  /** The keys and the first ARGV every script is given: the prefix, the change channel, and now. */
  #args(): (string | number)[] {
    return [...this.#keys, this.prefix, this.channel, this.now()]
  }

  /**
   * Waits until `replicas` replicas have every write made on `connection`, as a checkout or an admin write
   * must before it is answered: acknowledged, it then survives the loss of the master. Throws
   * `StoreUnavailableError` when fewer confirm in time; the write is made on the master, and the caller's
   * Idempotency-Key tells, on a retry, whether it was kept.
   */
  async #confirm({ replicas, connection }: { replicas: number; connection: CommandConnection }): Promise<void> {
    const confirmed = await this.run(() => connection.wait(replicas, this.#waitTimeoutMs))
    if (confirmed >= replicas) return
    throw new StoreUnavailableError(
      `only ${confirmed} of the ${replicas} replicas asked for confirmed a write within ${this.#waitTimeoutMs} ms; ` +
        'it may be lost if the master fails',
    )
  }

  #tellOutOfMemory(): void {
    const now = Date.now()
    if (now - this.#toldOutOfMemoryAt < OUT_OF_MEMORY_WARNING_MS) return
    this.#toldOutOfMemoryAt = now
    this.#logger.warn(
      `${this.where} is out of memory (maxmemory reached): changes are refused with 503 until it has room`,
    )
  }
}

/** Splits a flat list into rows of `size`. */
function rows<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i + size <= values.length; i += size) result.push(values.slice(i, i + size))
  return result
}
