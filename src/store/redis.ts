import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import { silentLogger, type Logger } from '../logger.js'
import { LimiterCounters } from './counters.js'
import { RedisCommands } from './redis-commands.js'
import { RedisFeed } from './redis-feed.js'
import { RedisRepository } from './redis-repository.js'
import { reconnectDelayMs } from './reconnect-delay.js'
import { describeServer, redisConnection, type RedisConnection, type RedisServer } from './redis-server.js'
import { RedisWebhookLog } from './redis-webhook-log.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import { StoreUnusableError } from './store-unusable-error.js'
import { storeDefaults, type StoreOptions, type StoreParts } from './store.js'

/** `catalog` is what the first process to use these keys seeds them with. */
export type RedisStoreOptions = StoreOptions & RedisServer & RedisStoreSettings

interface RedisStoreSettings {
  /**
   * Put before every key, and the channel, so that several shops or test runs can share one Redis. On a
   * cluster it is made a hash tag (`{prefix}`), which keeps every key of the shop in one slot.
   */
  readonly keyPrefix: string
  /** How many replicas must have a checkout or an admin write before it is answered; 0 (the default) for none. */
  readonly waitReplicas?: number
  /** How long a command may take before the store counts as unavailable. */
  readonly commandTimeoutMs?: number
  /** How long `check()` waits for its test message to come back through the change channel. */
  readonly canaryTimeoutMs?: number
  /** How long to wait before reconnecting, after the given number of failed attempts. */
  readonly reconnectDelayMs?: (attempt: number) => number
}

const DEFAULT_COMMAND_TIMEOUT_MS = 2000
const DEFAULT_CANARY_TIMEOUT_MS = 1000

/**
 * Opens a store in Redis, shared by every process on the same Redis and prefix: the repository and the
 * counters, on a command connection; the feed, on a subscribed connection of its own; the writes that wait
 * for replicas, if any must, on a third. Checks Redis first (version 7 or newer, keeping every key), then
 * seeds the catalog if this is the first process on these keys (or its keys were lost), takes it on for this
 * master (see `RedisCommands.adoptMaster`) and subscribes. Throws `StoreUnavailableError` when
 * Redis cannot be reached, and, before writing anything, a `StoreUnusableError` for a Redis it must not use.
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<StoreParts> {
  const { catalog, rules, holds } = storeDefaults(options)
  const logger = options.logger ?? silentLogger
  const retryStrategy = options.reconnectDelayMs ?? reconnectDelayMs
  const onCluster = 'clusterNodes' in options
  const keyPrefix = onCluster ? `{${options.keyPrefix}}` : options.keyPrefix
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const connect = (role: string) => {
    const connection = redisConnection(options, { name: `${keyPrefix}${role}`, commandTimeoutMs, retryStrategy })
    // Failures to connect are reported by connect() below, and later outages by reportOutages: one line
    // when a connection is lost and one when it is back, not one per attempt to reconnect.
    connection.on('error', () => {})
    return connection
  }
  const waitReplicas = options.waitReplicas ?? 0
  const connections = {
    commands: connect('commands'),
    subscriber: connect('subscriber'),
    replicated: waitReplicas > 0 ? connect('replicated') : undefined,
  }
  const where = describeServer(options)
  const commands = new RedisCommands({
    connection: connections.commands,
    keyPrefix,
    where,
    replicated: connections.replicated && { replicas: waitReplicas, connection: connections.replicated },
    knowsItsMaster: !onCluster,
    commandTimeoutMs,
    catalog,
    clock: holds.clock,
    logger,
  })
  const repository = new RedisRepository(commands, rules, holds)
  const feed = new RedisFeed({
    commands,
    subscriber: connections.subscriber,
    readCatalog: () => repository.catalog(),
    canaryTimeoutMs: options.canaryTimeoutMs ?? DEFAULT_CANARY_TIMEOUT_MS,
    retryDelayMs: retryStrategy,
    logger,
  })
  const opened = Object.entries(connections).filter(
    (entry): entry is [string, RedisConnection] => entry[1] !== undefined,
  )
  const disconnect = () => opened.forEach(([, connection]) => connection.disconnect())
  try {
    await Promise.all(opened.map(([, connection]) => connection.connect()))
    await commands.assertNewEnough()
    await commands.assertKeepsKeys()
    // Seeds before subscribing, so that listeners hear of changes to the catalog, not of its coming into being.
    await commands.seed()
    await commands.adoptMaster()
    await feed.start()
  } catch (error) {
    disconnect()
    if (error instanceof StoreUnusableError) throw error
    throw new StoreUnavailableError(`cannot reach ${where}: ${String(error)}`, { cause: error })
  }
  for (const [role, connection] of opened) reportOutages(connection, role, logger)
  return {
    repository,
    feed,
    webhooks: new RedisWebhookLog(commands),
    // Counted in Redis under the store's prefix, every process together; while Redis is out of reach (not
    // connected, or not answering in time) this process counts alone, in memory, so that limits still hold,
    // if less tightly.
    counters: new LimiterCounters(
      (name, points, duration) =>
        new RateLimiterRedis({
          storeClient: connections.commands,
          keyPrefix: `${keyPrefix}limit:${name}`,
          points,
          duration,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
        }),
    ),
    async close() {
      feed.close()
      disconnect()
    },
  }
}

function reportOutages(connection: RedisConnection, role: string, logger: Logger): void {
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
