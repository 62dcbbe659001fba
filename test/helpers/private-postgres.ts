import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterEach } from 'vitest'
import { freePort } from './free-port.js'

export interface PrivatePostgres {
  readonly url: string
  /** Stops it as a crash would (an immediate shutdown: no checkpoint, recovery on the next start). */
  crash(): Promise<void>
  /** Starts it again on the same files and port, once it accepts connections. */
  start(): Promise<void>
}

/** Debian's PostgreSQL programs, of the newest version installed. */
function binaries(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
  return `/usr/lib/postgresql/${versions[0]}/bin`
}

/**
 * A PostgreSQL server of the test's own, on a free port, for tests that crash and restart it: the one at
 * DATABASE_URL serves every other test file at the same time. Its files are in a folder of its own, made with
 * initdb; root runs it as the `postgres` user, which PostgreSQL requires. Each is stopped and its folder
 * removed after the test that made it.
 */
export function usePrivatePostgres(): () => Promise<PrivatePostgres> {
  const made: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((stop) => stop()))
  })
  return async () => {
    const bin = binaries()
    const asRoot = process.getuid?.() === 0
    const folder = mkdtempSync(join(tmpdir(), 'stockpoll-postgres-'))
    if (asRoot) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres']).toString()))
      chownSync(folder, uid!, gid!)
    }
    const command = (program: string, args: readonly string[]) =>
      asRoot
        ? (['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] as const)
        : ([join(bin, program), args] as const)
    const data = join(folder, 'data')
    const [initdb, initdbArgs] = command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
    execFileSync(initdb, [...initdbArgs], { stdio: 'ignore' })
    const port = await freePort()
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`
    let server: ChildProcess | undefined
    const crash = async () => {
      if (!server || server.exitCode !== null) return
      const exited = once(server, 'exit')
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
      process.kill(postmaster, 'SIGQUIT')
      await exited
    }
    const start = async () => {
      const [postgres, args] = command('postgres', [
        ...['-D', data, '-p', String(port), '-k', folder],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=50'],
      ])
      server = spawn(postgres, [...args], { stdio: 'ignore' })
      const deadline = Date.now() + 15_000
      for (;;) {
        const probe = new pg.Client({ connectionString: url })
        probe.on('error', () => {})
        try {
          await probe.connect()
          return
        } catch {
          if (Date.now() > deadline) throw new Error(`the private PostgreSQL did not start on port ${port}`)
          await sleep(50)
        } finally {
          await probe.end().catch(() => {})
        }
      }
    }
    made.push(async () => {
      await crash()
      rmSync(folder, { recursive: true, force: true })
    })
    await start()
    return { url, crash, start }
  }
}
