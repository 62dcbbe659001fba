import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import type { HostPort } from '../../src/store/redis-server.js'
import { freePort } from './free-port.js'
import { connectWithin } from './redis.js'

export interface LocalCluster {
  /** The nodes, as REDIS_CLUSTER_NODES lists them. */
  readonly nodes: string
  /** A plain connection to each master, to look at what each holds. */
  readonly masters: readonly Redis[]
}

const MASTERS = 3

/** The nodes of `cluster`, as the store is given them. */
export const clusterNodesOf = (cluster: LocalCluster): HostPort[] =>
  cluster.nodes.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) }))

/**
 * A Redis Cluster of three masters on this machine, for the current test file: started before its first test
 * (each node on free ports, its bus on another, its files in a folder of its own), stopped after its last.
 */
export function useRedisCluster(): () => LocalCluster {
  const children: ChildProcess[] = []
  const masters: Redis[] = []
  const folder = mkdtempSync(join(tmpdir(), 'stockpoll-cluster-'))
  let cluster: LocalCluster | undefined
  beforeAll(async () => {
    const ports = await distinctFreePorts(MASTERS * 2)
    for (let i = 0; i < MASTERS; i++) {
      const [port, bus] = [ports[i]!, ports[MASTERS + i]!]
      const child = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'],
          ...['--cluster-port', String(bus), '--cluster-config-file', `nodes-${port}.conf`],
          ...['--cluster-node-timeout', '2000', '--dir', folder, '--save', '', '--appendonly', 'no'],
        ],
        { stdio: 'ignore' },
      )
      children.push(child)
      masters.push(new Redis(port, { lazyConnect: true, retryStrategy: () => null }).on('error', () => {}))
    }
    for (const master of masters) await connectWithin(master, 5000, 'a Redis Cluster node')
    const addresses = ports.slice(0, MASTERS).map((port) => `127.0.0.1:${port}`)
    await promisify(execFile)('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    const deadline = Date.now() + 10_000
    for (const master of masters) {
      while (!/cluster_state:ok/.test(await master.cluster('INFO'))) {
        if (Date.now() > deadline) throw new Error('the local Redis Cluster did not come up within 10 s')
        await sleep(50)
      }
    }
    cluster = { nodes: addresses.join(','), masters }
  }, 20_000)
  afterAll(async () => {
    for (const master of masters) master.disconnect()
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return
        const exited = once(child, 'exit')
        child.kill('SIGKILL')
        await exited
      }),
    )
    rmSync(folder, { recursive: true, force: true })
  })
  return () => {
    if (!cluster) throw new Error('the local Redis Cluster is started before the first test')
    return cluster
  }
}

/** `count` ports free now, no two the same. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await freePort())
  return [...ports]
}
