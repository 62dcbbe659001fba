import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Redis } from 'ioredis'
import { afterEach } from 'vitest'
import { freePort } from './free-port.js'
import { connectWithin } from './redis.js'

export interface PrivateRedis {
  readonly url: string
  /** A plain connection to it, made on first use and closed with it. */
  admin(): Redis
  /** Kills it as a crash would (SIGKILL): it kept nothing, and starts empty. */
  kill(): Promise<void>
  /** Starts it again on the same port, empty. */
  start(): Promise<void>
  /** Stops it as a stalled host would (SIGSTOP): connections stay open, and nothing answers them. */
  pause(): void
  /** Lets a paused one go on (SIGCONT): it runs what it was sent meanwhile. */
  resume(): void
}

/**
 * A Redis server of the test's own, on a free port, for tests that kill, pause or restart it, or that start it
 * with `args` of their own: the shared one at REDIS_URL serves every other test file at the same time. Each is
 * stopped after the test that made it.
 */
export function usePrivateRedis(): (...args: string[]) => Promise<PrivateRedis> {
  const made: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((stop) => stop()))
  })
  return async (...args) => {
    const port = await freePort()
    let child: ChildProcess | undefined
    let admin: Redis | undefined
    const kill = async () => {
      if (!child || child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    }
    const start = async () => {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
        {
          stdio: 'ignore',
        },
      )
      const probe = new Redis(port, { lazyConnect: true, retryStrategy: () => null })
      probe.on('error', () => {})
      await connectWithin(probe, 5000, `redis-server on port ${port}`)
      probe.disconnect()
    }
    made.push(async () => {
      admin?.disconnect()
      child?.kill('SIGCONT')
      await kill()
    })
    await start()
    return {
      url: `redis://127.0.0.1:${port}`,
      admin: () => (admin ??= new Redis(port).on('error', () => {})),
      kill,
      start,
      pause: () => child?.kill('SIGSTOP'),
      resume: () => child?.kill('SIGCONT'),
    }
  }
}
