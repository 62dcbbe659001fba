import { nanoid } from 'nanoid'
import type { CatalogChange, CatalogSnapshot } from '../domain/catalog.js'
import type { Logger } from '../logger.js'
import type { ChangeFeed, ChangeListener } from './change-feed.js'
import type { RedisCommands } from './redis-commands.js'
import { channelMessage } from './redis-replies.js'
import type { RedisConnection } from './redis-server.js'
import { parseJson } from './redis-repository.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

export interface RedisFeedOptions {
  readonly commands: RedisCommands
  /** A connection of its own, which subscribes to the change channel and does nothing else. */
  readonly subscriber: RedisConnection
  /** Reads the whole catalog, to catch up with what was missed. */
  readonly readCatalog: () => Promise<CatalogSnapshot>
  /** How long `check()` waits for its test message to come back through the change channel. */
  readonly canaryTimeoutMs: number
  /** How long to wait before trying again to catch up, after the given number of failed attempts. */
  readonly retryDelayMs: (attempt: number) => number
  readonly logger: Logger
}

/**
 * The changes to a stock in Redis, as every process hears them: each script publishes its change on the
 * change channel, and the feed hears it on a subscribed connection of its own. The channel is a sharded one
 * (`SPUBLISH`), named under the shop's prefix: on a cluster it lives on the node that holds the shop's keys,
 * so a change reaches its subscribers as the script that made it ends, as on one server, rather than later,
 * over the cluster's bus, to every node. After either connection comes back from an outage it reads the
 * catalog again and reports it, since what was published meanwhile never reached this process.
 */
export class RedisFeed implements ChangeFeed {
  readonly #commands: RedisCommands
  readonly #subscriber: RedisConnection
  readonly #readCatalog: () => Promise<CatalogSnapshot>
  readonly #canaryTimeoutMs: number
  readonly #retryDelayMs: (attempt: number) => number
  readonly #logger: Logger
  readonly #listeners = new Set<ChangeListener>()
  /** What to call when each test message this feed sent comes back, by its id. */
  readonly #canaries = new Map<string, () => void>()
  #closed = false
  /** Whether the subscriber is subscribed to the change channel now. */
  #subscribed = false
  /** Whether a change may have been missed: a connection was lost, and the catalog not read again since. */
  #behind = false
  /** Connections lost so far: a re-read catches up only if none was lost while it ran. */
  #losses = 0
  #catchingUp = false
  /** Ends the wait before the next attempt to catch up: a connection is back, so try at once. */
  #tryNow = () => {}

  constructor(options: RedisFeedOptions) {
    this.#commands = options.commands
    this.#subscriber = options.subscriber
    this.#readCatalog = options.readCatalog
    this.#canaryTimeoutMs = options.canaryTimeoutMs
    this.#retryDelayMs = options.retryDelayMs
    this.#logger = options.logger
  }

  /** Subscribes, and from then on hears, and catches up after every outage of either connection. */
  async start(): Promise<void> {
    await this.#subscriber.ssubscribe(this.#commands.channel)
    this.#subscribed = true
    const { connection } = this.#commands
    this.#subscriber.on('smessage', (_channel: string, message: string) => this.#hear(message))
    this.#subscriber.on('close', () => this.#lost(this.#subscriber))
    connection.on('close', () => this.#lost(connection))
    this.#subscriber.on('ready', () => void this.#catchUp())
    connection.on('ready', () => void this.#catchUp())
  }

  listen(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Proves the whole path a change takes: a test message published on the change channel must come back
   * through this feed's subscription within `canaryTimeoutMs`. A subscriber whose connection silently
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
      const { connection, channel } = this.#commands
      await this.#commands.run(() => connection.spublish(channel, JSON.stringify({ canary: id })))
      await heard
    } finally {
      clearTimeout(timer)
      this.#canaries.delete(id)
    }
  }

  close(): void {
    this.#closed = true
    this.#listeners.clear()
  }

  #hear(message: string): void {
    const parsed = channelMessage.safeParse(parseJson(message))
    if (!parsed.success) {
      this.#logger.warn({ channel: this.#commands.channel, message }, 'ignored a malformed change message')
    } else if ('canary' in parsed.data) {
      this.#canaries.get(parsed.data.canary)?.()
    } else if ('products' in parsed.data) {
      this.#tell(parsed.data)
    } else {
      // A catalog seeded anew: every product is new to the listeners, and too many to publish.
      this.#readCatalog().then(
        (catalog) => this.#tell(catalog),
        () => this.#lost(this.#commands.connection),
      )
    }
  }

  #lost(connection: RedisConnection): void {
    if (this.#closed) return
    this.#losses++
    this.#behind = true
    if (connection === this.#subscriber) this.#subscribed = false
  }

  /**
   * After a reconnect: subscribe again if the subscriber was lost, take the catalog on for the master reached
   * (a new one, after a failover, starts a new epoch), then read the catalog again and report it. Subscribing
   * first leaves no gap. A step that fails (the other connection is still down, or Redis is too
   * slow to answer, as during a failover) is tried again, ever less often, for as long as it takes: until then
   * the feed is not ready, and its listeners may hold a stale stock.
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
            await this.#subscriber.ssubscribe(this.#commands.channel)
            this.#subscribed = true
          }
          await this.#commands.adoptMaster()
          this.#tell(await this.#readCatalog())
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
