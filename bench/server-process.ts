// Starts the servers under test as processes of their own, and reads what the benchmark needs of them.
import { setTimeout as sleep } from 'node:timers/promises'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getRequest, requestOnce, type Target } from './raw-http.js'
import { heldIn } from './stock-version.js'

export type ServerKind = 'stockpoll' | 'baseline'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const COMMANDS: Record<ServerKind, readonly string[]> = {
  stockpoll: ['dist/server.js'],
  baseline: ['--import', 'tsx', 'bench/baseline-server.ts'],
}
const START_TIMEOUT_MS = 10_000
/** The load generator is one client playing thousands: stockpoll's per-client limits must let it. */
const ONE_LOAD_GENERATOR = {
  MAX_WAITERS_PER_IP: '1000000',
  CART_RATE_PER_IP: '1000000',
  CART_RATE_PER_SESSION: '1000000',
}

export interface BenchServer {
  readonly kind: ServerKind
  readonly target: Target
  /** The server's process id: with workers, the primary's. */
  readonly pid: number
  /** Resident memory of the server process now, in bytes. */
  rss(): number
  /** CPU time the server process has used so far, user and system, in ms. */
  cpuMs(): number
  /** How many polls, streams and sockets it holds now, on every transport, from its /healthz. */
  held(): Promise<number>
  stop(): Promise<void>
}

/** Resident memory of process `pid` now, in bytes. */
export const rssOf = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024

/** Where to write a CPU profile of every server the benchmark starts (`node --cpu-prof`), if anywhere. */
const profileDir = process.env.BENCH_CPU_PROF_DIR

export async function startBenchServer(kind: ServerKind, env: Record<string, string> = {}): Promise<BenchServer> {
  // Node's own file names tell threads apart (the baseline's TypeScript loader has one of its own); a named
  // file would be written by each thread in turn, the last one overwriting the server's.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, kind)}`] : []
  // The server's log goes to a file, not a pipe: Node writes to a pipe synchronously, so a pipe this busy
  // load generator left unread would stall the server it measures.
  const logDir = mkdtempSync(join(tmpdir(), `bench-${kind}-`))
  const logPath = join(logDir, 'stdout.log')
  const logFile = openSync(logPath, 'w')
  // stockpoll keeps its stock where `npm start` does, in SQLite, but in a fresh file of this run's own.
  const database = { DATABASE_FILE: join(logDir, 'stock.db') }
  const child = spawn(process.execPath, [...profile, ...COMMANDS[kind]], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...ONE_LOAD_GENERATOR, ...database, ...env },
    stdio: ['ignore', logFile, 'inherit'],
  })
  closeSync(logFile)
  child.once('exit', () => rmSync(logDir, { recursive: true, force: true }))
  const deadline = Date.now() + START_TIMEOUT_MS
  let listening: RegExpExecArray | null
  while (!(listening = /on http:\/\/([\d.]+):(\d+)/.exec(readFileSync(logPath, 'utf8')))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${kind} did not start: ${readFileSync(logPath, 'utf8')}`)
    await sleep(20)
  }
  const [, host, port] = listening
  const target = { host: host!, port: Number(port) }

  return {
    kind,
    target,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    cpuMs: () => {
      // Fields 14 and 15 of /proc/PID/stat, counted after the command name, in clock ticks of 10 ms.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return (Number(fields[11]) + Number(fields[12])) * 10
    },
    async held() {
      return heldIn((await requestOnce(target, getRequest('/healthz'))).body)
    },
    async stop() {
      if (child.exitCode !== null) return
      // A profiled server must exit by itself to write its profile.
      child.kill(profileDir ? 'SIGTERM' : 'SIGKILL')
      await once(child, 'exit')
    },
  }
}
