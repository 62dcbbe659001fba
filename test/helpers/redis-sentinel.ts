import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterEach } from 'vitest'
import { freePort } from './free-port.js'

export const MASTER_NAME = 'shop'

export interface SentinelGroup {
  /** The Sentinels, as REDIS_SENTINELS lists them. */
  readonly sentinels: string
  /** The port of the master the Sentinels name now. */
  masterPort(): Promise<number>
  /** Kills the master as a crash would (SIGKILL); gives its port. */
  killMaster(): Promise<number>
  /** Stops every replica as a stalled host would (SIGSTOP), or lets them go on (SIGCONT). */
  pauseReplicas(paused: boolean): Promise<void>
  /** Waits until the Sentinels agree on a master other than the one on `oldPort`, and a replica of it is in sync. */
  failedOver(oldPort: number, withinMs: number): Promise<void>
}

/** How soon a Sentinel counts a silent master as down: short, so that a test's failover takes a second or two. */
const DOWN_AFTER_MS = 1000
/**
 * How long a failover may take to point the other replicas at the new master. Past it the Sentinels end the
 * failover and set right any replica still following the old master on their own, which once took more than
 * the test's half-minute with a longer timeout.
 */
const FAILOVER_TIMEOUT_MS = 4000

/**
 * A master, two replicas and three Sentinels on this machine, each on free ports, their files in a folder of
 * the group's own: a Redis that fails over as production's does. Each group is stopped after the test that made it. Two replicas,
 * so that after the master is lost a replica is left to confirm the writes that must wait for one.
 */
export function useSentinelGroups(): () => Promise<SentinelGroup> {
  const made: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((stop) => stop()))
  })
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stockpoll-sentinel-'))
    const servers = new Map<number, ChildProcess>()
    const sentinels: ChildProcess[] = []
    made.push(async () => {
      for (const child of servers.values()) child.kill('SIGCONT')
      await Promise.all([...servers.values(), ...sentinels].map(killed))
      rmSync(folder, { recursive: true, force: true })
    })
    const redisServer = (port: number, ...args: string[]) => {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', folder, '--save', '', ...args],
        { stdio: 'ignore' },
      )
      servers.set(port, child)
    }

    const [master, ...replicas] = [await freePort(), await freePort(), await freePort()]
    redisServer(master, '--appendonly', 'no')
    for (const replica of replicas)
      redisServer(replica, '--appendonly', 'no', '--replicaof', '127.0.0.1', String(master))
    const sentinelPorts = [await freePort(), await freePort(), await freePort()]
    for (const port of sentinelPorts) {
      const config = join(folder, `sentinel-${port}.conf`)
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${folder}`,
          `logfile ${join(folder, `sentinel-${port}.log`)}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${MASTER_NAME} 2`,
        ].join('\n'),
      )
      sentinels.push(spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' }))
    }
    const masterPort = async () => (await sentinelView(sentinelPorts[0]!)).named
    /**
     * Waits until every Sentinel knows the others and names one master, not the one on `gone`, of which a
     * replica is in sync; gives its port. Under load the Sentinels may fail over more than once: it is whichever
     * they agree on in the end.
     */
    const settled = async (gone: number | undefined, withinMs: number) => {
      const deadline = Date.now() + withinMs
      let seen: string
      for (;;) {
        try {
          const views = await Promise.all(sentinelPorts.map((each) => sentinelView(each)))
          const named = views[0]!.named
          const replicas = (await askOnce(named, (node) => node.info('replication'))).match(/^slave\d+:.*$/gm) ?? []
          seen = `replicas ${JSON.stringify(replicas)}, Sentinels ${JSON.stringify(views)}`
          const agreed = views.every(({ others, named: each }) => others === sentinelPorts.length - 1 && each === named)
          if (agreed && named !== gone && replicas.some((replica) => replica.includes('state=online'))) return named
        } catch (error) {
          seen = String(error)
        }
        if (Date.now() > deadline) {
          // What the Sentinels did, for whoever reads the failure.
          const logs = sentinelPorts.map((each) => readFileSync(join(folder, `sentinel-${each}.log`), 'utf8'))
          const events = logs
            .join('\n')
            .split('\n')
            .filter((line) => / [+-]/.test(line))
            .slice(-40)
          throw new Error(`the Redis group did not settle on a master: ${seen}\n${events.join('\n')}`)
        }
        await sleep(100)
      }
    }
    await settled(undefined, 15_000)
    return {
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      masterPort,
      async killMaster() {
        const port = await masterPort()
        await killed(servers.get(port)!)
        return port
      },
      async pauseReplicas(paused) {
        const master = await masterPort()
        for (const [port, child] of servers) if (port !== master) child.kill(paused ? 'SIGSTOP' : 'SIGCONT')
      },
      async failedOver(oldPort, withinMs) {
        await settled(oldPort, withinMs)
      },
    }
  }
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

/** What the Sentinel on `port` knows: how many other Sentinels, and the port of the master it names. */
async function sentinelView(port: number): Promise<{ others: number; named: number }> {
  return askOnce(port, async (sentinel) => {
    const others = (await sentinel.call('SENTINEL', 'sentinels', MASTER_NAME)) as unknown[]
    const [, named] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[]
    return { others: others.length, named: Number(named) }
  })
}

/** Asks the server on `port` over a connection of its own, closed after. */
async function askOnce<T>(port: number, ask: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(port, { retryStrategy: () => null }).on('error', () => {})
  try {
    return await ask(redis)
  } finally {
    redis.disconnect()
  }
}
