// `npm run bench -- --scale`: past one process. Several stockpoll workers on one port and one Redis, long
// polls held from several client processes (each within its own open-file limit), one change: every poll
// answered, how fast, what each worker process holds in memory, and how many Redis commands the change cost.
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { Redis } from 'ioredis'
import { nanoid } from 'nanoid'
import { PollHolders } from './poll-holders.js'
import { getRequest, postFormRequest, requestOnce } from './raw-http.js'
import { rssOf, startBenchServer } from './server-process.js'
import { spreadOf, waitFor, type Spread } from './stats.js'
import { epochIn, versionIn } from './stock-version.js'

export interface ScaleOptions {
  readonly workers: number
  readonly polls: number
  readonly clientProcesses: number
  readonly redisUrl: string
}

export interface ScaleResult extends ScaleOptions {
  readonly received: number
  readonly fanOutMs: Spread
  /** Each worker's resident memory before the polls and while they are held, in bytes, and how many it holds. */
  readonly workerRss: readonly { readonly idleBytes: number; readonly heldBytes: number; readonly held: number }[]
  /**
   * Commands Redis ran while the change reached every poll, a script's own calls among them, by command; and
   * those it ran in as long a time right after, with nothing changing (each worker's sweeps and checks).
   */
  readonly redisCommands: { readonly change: CommandCounts; readonly idle: CommandCounts; readonly ms: number }
}

const HOLD_TIMEOUT_MS = 120_000
const ANSWER_TIMEOUT_MS = 60_000

const openFilesOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length
const childrenOf = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)

type CommandCounts = Readonly<Record<string, number>>

/** Calls of each command Redis has run so far, from `INFO commandstats`. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats')
  return Object.fromEntries(
    [...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map(([, name, calls]) => [name!, Number(calls)]),
  )
}

/** The commands run between two counts, less the INFO that took the second. */
function callsBetween(before: CommandCounts, after: CommandCounts): CommandCounts {
  const calls = { ...after, info: (after.info ?? 1) - 1 }
  return Object.fromEntries(
    Object.entries(calls)
      .map(([name, count]) => [name, count - (before[name] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  )
}

export async function measureScale(options: ScaleOptions): Promise<ScaleResult> {
  const { workers, polls, clientProcesses, redisUrl } = options
  const prefix = `bench-scale-${nanoid(8)}:`
  const server = await startBenchServer('stockpoll', {
    STORE: 'redis',
    REDIS_URL: redisUrl,
    STORE_KEY_PREFIX: prefix,
    WORKERS: String(workers),
  })
  const redis = new Redis(redisUrl)
  const holders: PollHolders[] = []
  try {
    const { target } = server
    await waitFor(() => childrenOf(server.pid).length === workers, HOLD_TIMEOUT_MS)
    await sleep(1000)
    const workerPids = childrenOf(server.pid)
    const filesIdle = workerPids.map(openFilesOf)
    const rssIdle = workerPids.map(rssOf)
    const stock = (await requestOnce(target, getRequest('/inventory'))).body
    const [version, epoch] = [versionIn(stock), epochIn(stock)!]
    const share = Math.ceil(polls / clientProcesses)
    for (let i = 0; i < clientProcesses; i++) {
      const count = Math.min(share, polls - i * share)
      holders.push(await PollHolders.open({ target, polls: count, version, epoch }))
    }
    const heldBy = () => workerPids.map((pid, i) => openFilesOf(pid) - filesIdle[i]!)
    await waitFor(() => heldBy().reduce((sum, held) => sum + held, 0) >= polls, HOLD_TIMEOUT_MS, 200)
    await sleep(500)
    const held = heldBy()
    const workerRss = workerPids.map((pid, i) => ({ idleBytes: rssIdle[i]!, heldBytes: rssOf(pid), held: held[i]! }))

    const before = await commandCalls(redis)
    const changedAt = performance.timeOrigin + performance.now()
    await requestOnce(target, postFormRequest('/cart', { session: 'scale', action: 'add' }))
    const answered = await Promise.race([
      Promise.all(holders.map((holder) => holder.answered(changedAt))),
      sleep(ANSWER_TIMEOUT_MS).then(() => []),
    ])
    const after = await commandCalls(redis)
    const ms = performance.timeOrigin + performance.now() - changedAt
    await sleep(ms)
    const idle = callsBetween(after, await commandCalls(redis))
    const redisCommands = { change: callsBetween(before, after), idle, ms }
    const latencies = answered.flat()
    return { ...options, received: latencies.length, fanOutMs: spreadOf(latencies), workerRss, redisCommands }
  } finally {
    await Promise.all(holders.map((holder) => holder.close()))
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
    await server.stop()
  }
}
