import cluster from 'node:cluster'
import { log } from './log.js'

/**
 * Runs in the primary process when WORKERS > 1: forks `count` workers, which share the listening port, and
 * looks after them. A worker that dies after it was serving is replaced; one that dies before it ever
 * listened means the rest would fail the same way (Redis unreachable, port taken), so all are stopped and
 * the primary exits 1 instead of forking in a loop. On SIGTERM or SIGINT every worker drains its held
 * requests and the primary exits 0 once all are gone.
 */
export function superviseWorkers(count: number): void {
  let alive = 0
  let stopping = false
  const listened = new Set<number>()

  const stopAll = () => {
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  }

  cluster.on('fork', () => alive++)
  cluster.on('listening', (worker) => listened.add(worker.id))
  cluster.on('exit', (worker, code, signal) => {
    alive--
    if (stopping) {
      if (alive === 0) process.exit(process.exitCode ?? 0)
      return
    }
    if (!listened.has(worker.id)) {
      log.error(`a worker exited (${signal ?? code}) before it could serve; stopping`)
      process.exitCode = 1
      stopAll()
      if (alive === 0) process.exit(1)
      return
    }
    log.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    cluster.fork()
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info(`${signal}: stopping ${alive} workers`)
      stopAll()
    })
  }

  for (let i = 0; i < count; i++) cluster.fork()
}
