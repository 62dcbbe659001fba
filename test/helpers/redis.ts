import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { nanoid } from 'nanoid'
import { afterAll } from 'vitest'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

async function reachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 1000 })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
    return true
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}

/**
 * Whether the Redis tests run: always in CI, where a missing Redis must fail them, and elsewhere only
 * where Redis answers.
 */
export const runRedisTests = process.env.CI === 'true' || (await reachable())

if (!runRedisTests) {
  console.warn(
    `Redis tests skipped: nothing answers at ${REDIS_URL} (start one: redis-server --daemonize yes, or set REDIS_URL)`,
  )
}

/** A key prefix no other test uses, so tests share one Redis without touching each other's keys. */
export const uniquePrefix = (): string => `stockpoll-test:${nanoid(10)}:`

/** Hands out fresh key prefixes to the current test file, and deletes every key under them after its last test. */
export function useKeyPrefixes(): () => string {
  const prefixes: string[] = []
  afterAll(async () => {
    if (prefixes.length === 0) return
    const redis = adminConnection()
    for (const prefix of prefixes) await deleteKeys(redis, prefix)
    redis.disconnect()
  })
  return () => {
    const prefix = uniquePrefix()
    prefixes.push(prefix)
    return prefix
  }
}

/** A plain connection for a test to look at or disturb Redis directly; call `disconnect()` when done. */
export function adminConnection(): Redis {
  return new Redis(REDIS_URL)
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length > 0) await redis.del(...keys)
}

/** The client connections whose name starts with `prefix`, oldest first: their ids and the ports they come from. */
async function connectionsNamed(redis: Redis, prefix: string) {
  const clients = String(await redis.client('LIST'))
  return clients
    .split('\n')
    .map((line) => ({
      id: /\bid=(\d+)/.exec(line)?.[1],
      name: /\bname=(\S*)/.exec(line)?.[1] ?? '',
      port: Number(/\baddr=\S*:(\d+)/.exec(line)?.[1]),
    }))
    .filter(
      (client): client is { id: string; name: string; port: number } =>
        client.id !== undefined && client.name.startsWith(prefix),
    )
}

/** The ids of the client connections whose name starts with `prefix`, oldest first. */
export async function connectionIds(redis: Redis, prefix: string): Promise<string[]> {
  return (await connectionsNamed(redis, prefix)).map((client) => client.id)
}

/** The port the one client connection named `name` comes from. */
export async function portOfConnection(redis: Redis, name: string): Promise<number> {
  const [client, ...others] = (await connectionsNamed(redis, name)).filter((each) => each.name === name)
  if (!client || others.length > 0) throw new Error(`expected one connection named ${name}`)
  return client.port
}

/** Closes every client connection whose name starts with `prefix`, as a network fault would; returns how many. */
export async function killConnections(redis: Redis, prefix: string): Promise<number> {
  const ids = await connectionIds(redis, prefix)
  for (const id of ids) await redis.client('KILL', 'ID', id)
  return ids.length
}

/** Connects `redis` (made with `lazyConnect` and no retries) to a server just started, trying until `ms` pass. */
export async function connectWithin(redis: Redis, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      await redis.connect()
      return
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not start within ${ms} ms`)
      await sleep(20)
    }
  }
}
