import pg from 'pg'
import type { CatalogChange } from '../domain/catalog.js'
import type { Logger } from '../logger.js'
import type { ChangeListener, TellingFeed } from './change-feed.js'
import { PostgresState } from './postgres-state.js'
import { reconnectDelayMs } from './reconnect-delay.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

export interface PostgresFeedOptions {
  readonly config: pg.ClientConfig
  /** The channel the store's transactions notify, one per schema. */
  readonly channel: string
  readonly logger: Logger
}

/**
 * The changes to a stock in PostgreSQL, as every process hears them. A transaction that changed the stock
 * notifies the store's channel, which PostgreSQL delivers once it commits; the feed listens on a connection
 * of its own, and on each notification reads the products whose version is past the last it read, in one
 * statement. So a notification carries nothing and may be coalesced or lost: the next read finds everything
 * since. After the connection comes back from an outage it reads again from where it was. This process's
 * own changes are told at once too (`tell`), each once: by `tell` or by a read, whichever comes first.
 */
export class PostgresFeed implements TellingFeed {
  readonly channel: string
  readonly #config: pg.ClientConfig
  readonly #logger: Logger
  readonly #listeners = new Set<ChangeListener>()
  readonly #state = new PostgresState()
  #client: pg.Client | undefined
  /** The epoch and version last read: the next read is of what changed after it. */
  #heard: { readonly epoch: string; readonly version: number } | undefined
  /** The versions of this process's own changes, told at once, which a read after them does not tell again. */
  readonly #toldAlready = new Set<number>()
  #reading: Promise<void> | undefined
  /** A notification came while a read was under way: read once more after it. */
  #again = false
  #closed = false

  constructor(options: PostgresFeedOptions) {
    this.channel = options.channel
    this.#config = options.config
    this.#logger = options.logger
  }

  /**
   * Connects and listens; from then on hears every change, and catches up after every outage. What is there
   * at start is no change: its listeners read the catalog themselves.
   */
  async start(): Promise<void> {
    await this.#connect()
  }

  listen(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  tell(change: CatalogChange): void {
    // A read after the change committed, which may come back before the change is told, told it already.
    const heard = this.#heard
    if (heard?.epoch === change.epoch && heard.version >= change.version) return
    this.#toldAlready.add(change.version)
    this.#tellListeners(change)
  }

  #tellListeners(change: CatalogChange): void {
    for (const listener of this.#listeners) listener(change)
  }

  /** Ready while the connection it listens on answers. */
  async check(): Promise<void> {
    if (!this.#client) throw new StoreUnavailableError('not listening for changes in PostgreSQL')
    try {
      await this.#client.query('SELECT 1')
    } catch (error) {
      throw new StoreUnavailableError('the connection that listens for changes in PostgreSQL is lost', { cause: error })
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#listeners.clear()
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => {})
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config)
    client.on('error', () => {})
    client.on('end', () => this.#lost(client))
    client.on('notification', () => void this.#catchUp())
    await client.connect()
    await client.query(`LISTEN "${this.channel}"`)
    this.#client = client
    this.#state.use(client)
    await this.#catchUp(this.#heard !== undefined)
  }

  #lost(client: pg.Client): void {
    if (this.#closed || this.#client !== client) return
    this.#client = undefined
    this.#logger.warn('lost the connection that listens for changes in PostgreSQL: connecting again')
    void this.#reconnect()
  }

  async #reconnect(): Promise<void> {
    for (let attempt = 0; !this.#closed && !this.#client; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(attempt)))
      try {
        await this.#connect()
        this.#logger.warn('listening for changes in PostgreSQL again')
      } catch {
        // Tried again after a while, for as long as it takes; until then the feed is not ready.
      }
    }
  }

  /**
   * Reads what changed since the last read, once at a time; a notification meanwhile makes one more. Tells
   * its listeners of it, unless `tell` is false (the first read).
   */
  #catchUp(tell = true): Promise<void> {
    if (this.#reading) {
      this.#again = true
      return this.#reading
    }
    this.#reading = (async () => {
      do {
        this.#again = false
        await this.#read(tell)
      } while (this.#again && !this.#closed)
    })()
      .catch(() => {
        // A read that fails with the connection is made again once it is back.
      })
      .finally(() => (this.#reading = undefined))
    return this.#reading
  }

  async #read(tell: boolean): Promise<void> {
    const since = await this.#state.changesSince(this.#heard)
    if (this.#closed) return
    const newEpoch = since.epoch !== this.#heard?.epoch
    this.#heard = { epoch: since.epoch, version: since.version }
    const products = newEpoch ? since.products : since.products.filter(({ version }) => !this.#toldAlready.has(version))
    for (const version of this.#toldAlready) if (version <= since.version) this.#toldAlready.delete(version)
    if (tell && products.length > 0) this.#tellListeners({ ...since, products })
  }
}
