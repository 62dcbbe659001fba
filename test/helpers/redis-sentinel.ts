import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterEach } from 'vitest'
import { freePort } from './free-port.js'
import { connectWithin } from './redis.js'

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
  /** Waits until the Sentinels name a master other than the one on `oldPort`, and a replica of it is in sync. */
  failedOver(oldPort: number, withinMs: number): Promise<void>
}

/** How soon a Sentinel counts a silent master as down: short, so that a test's failover takes a second or two. */
const DOWN_AFTER_MS = 500

/**
 * A master, two replicas and three Sentinels on this machine, each on free ports, keeping nothing on disk: a
 * Redis that fails over as production's does. Each group is stopped after the test that made it. Two replicas,
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
    const probes: Redis[] = []
    made.push(async () => {
      for (const probe of probes) probe.disconnect()
      for (const child of servers.values()) child.kill('SIGCONT')
      await Promise.all([...servers.values(), ...sentinels].map(killed))
      rmSync(folder, { recursive: true, force: true })
    })
    const redisServer = (port: number, ...args: string[]) => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...args], {
        stdio: 'ignore',
      })
      servers.set(port, child)
    }
    const connection = (port: number) => {
      const probe = new Redis(port, { lazyConnect: true, retryStrategy: () => null }).on('error', () => {})
      probes.push(probe)
      return probe
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
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${MASTER_NAME} 2`,
        ].join('\n'),
      )
      sentinels.push(spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' }))
    }
    const sentinel = connection(sentinelPorts[0]!)
    const masterPort = async () => {
      const [, port] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string]
      return Number(port)
    }
    /** Waits until a replica of the master on `port` is in sync, and every Sentinel knows the others and it. */
    const settled = async (port: number, withinMs: number) => {
      const deadline = Date.now() + withinMs
      const node = connection(port)
      for (;;) {
        try {
          if (node.status !== 'ready') await node.connect()
          const info = await node.info('replication')
          const inSync = /^slave\d+:.*state=online/m.test(info)
          const known = await Promise.all(
            sentinelPorts.map(async (each) => {
              const peer = new Redis(each, { retryStrategy: () => null }).on('error', () => {})
              try {
                const others = (await peer.call('SENTINEL', 'sentinels', MASTER_NAME)) as unknown[]
                const [, named] = (await peer.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[]
                return others.length === sentinelPorts.length - 1 && Number(named) === port
              } finally {
                peer.disconnect()
              }
            }),
          )
          if (inSync && known.every(Boolean)) return
        } catch {
          // Not up yet: asked again below.
        }
        if (Date.now() > deadline) throw new Error(`the Redis group did not settle on a master at ${port}`)
        await sleep(100)
      }
    }
    await connectWithin(sentinel, 5000, 'a Sentinel')
    await settled(master, 15_000)
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
        const deadline = Date.now() + withinMs
        while ((await masterPort()) === oldPort) {
          if (Date.now() > deadline) throw new Error(`no failover within ${withinMs} ms`)
          await sleep(50)
        }
        await settled(await masterPort(), Math.max(1000, deadline - Date.now()))
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
