import { Cluster, Redis, type RedisOptions } from 'ioredis'

/** A host and port, as `REDIS_CLUSTER_NODES` and `REDIS_SENTINELS` list them. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/**
 * Where the store's Redis is: one server at a URL; a Redis Cluster, found from any of its nodes; or the
 * master that Sentinel names, wherever failovers have put it.
 */
export type RedisServer =
  | { readonly url: string }
  | { readonly clusterNodes: readonly HostPort[] }
  | { readonly sentinels: readonly HostPort[]; readonly masterName: string }

/** A connection to the store's Redis, whichever kind it is: both speak every command the store sends. */
export type RedisConnection = Redis | Cluster

export interface ConnectionSettings {
  /** Names the connection in `CLIENT LIST`. */
  readonly name: string
  readonly commandTimeoutMs: number
  /** How long to wait before reconnecting, after the given number of failed attempts. */
  readonly retryStrategy: (attempt: number) => number
}

/** A connection to `server`, not yet connected. */
export function redisConnection(server: RedisServer, settings: ConnectionSettings): RedisConnection {
  const options = {
    lazyConnect: true,
    // Fail at once while disconnected, rather than queue the command and leave the request hanging.
    enableOfflineQueue: false,
    // A command whose reply was lost is not sent again behind the back of a client already told 503.
    autoResendUnfulfilledCommands: false,
    commandTimeout: settings.commandTimeoutMs,
    // Resubscribing is done by the feed itself, so that it knows when to re-read (see RedisFeed).
    autoResubscribe: false,
    connectionName: settings.name,
  } satisfies RedisOptions
  if ('clusterNodes' in server) {
    const { lazyConnect, enableOfflineQueue, ...perNode } = options
    return new Cluster([...server.clusterNodes], {
      lazyConnect,
      enableOfflineQueue,
      clusterRetryStrategy: settings.retryStrategy,
      // The change channel is a sharded one, on the node that holds the shop's keys (see RedisFeed).
      shardedSubscribers: true,
      redisOptions: perNode,
    })
  }
  if ('sentinels' in server) {
    return new Redis({
      ...options,
      retryStrategy: settings.retryStrategy,
      sentinels: [...server.sentinels],
      name: server.masterName,
      sentinelRetryStrategy: settings.retryStrategy,
      // A master demoted by a failover answers writes with READONLY: reconnect, and Sentinel names the new one.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    })
  }
  return new Redis(server.url, { ...options, retryStrategy: settings.retryStrategy })
}

/** Which Redis `server` is, for messages: at a URL with its password hidden, or the nodes or Sentinels asked. */
export function describeServer(server: RedisServer): string {
  if ('clusterNodes' in server) return `the Redis Cluster at ${hostList(server.clusterNodes)}`
  if ('sentinels' in server) return `the Redis master ${server.masterName} (Sentinels at ${hostList(server.sentinels)})`
  const parsed = new URL(server.url)
  if (parsed.password) parsed.password = '***'
  return `Redis at ${parsed.toString()}`
}

const hostList = (hosts: readonly HostPort[]) => hosts.map(({ host, port }) => `${host}:${port}`).join(', ')
