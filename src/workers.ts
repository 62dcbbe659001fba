import cluster, { type Worker } from 'node:cluster'
import type { Logger } from './logger.js'

/** A worker that served at least this long before it died was sound: another is started at once. */
const SOUND_AFTER_MS = 10_000
/** How long to wait before starting another worker after `failures` workers in a row died young. */
const restartDelayMs = (failures: number): number => Math.min(500 * 2 ** (failures - 1), 30_000)

/**
 * Runs in the primary process when WORKERS > 1: forks `count` workers, which share the listening port, and
 * looks after them. A worker that dies is replaced; one that dies young (before it listened, or soon after),
 * again and again, is replaced ever more slowly, so that a fault that kills every new worker does not fork
 * in a loop. A worker never stops another: one that cannot reach Redis still listens, and answers 503 until
 * it can. Only when no worker has ever listened (the port is taken, say) does the primary give up and exit 1,
 * or 2 as the worker did (it was set up wrong), since the rest would fail the same way. On SIGTERM or SIGINT every worker drains its held requests and
 * the primary exits 0 once all are gone.
 */
export function superviseWorkers(count: number, logger: Logger): void {
  let stopping = false
  let alive = 0
  let anyListened = false
  /** Workers in a row that died young. */
  let failures = 0
  const listenedAt = new Map<number, number>()

  const stopAll = () => {
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    if (alive === 0) process.exit(process.exitCode ?? 0)
  }

  cluster.on('fork', () => alive++)
  cluster.on('listening', (worker: Worker) => {
    anyListened = true
    listenedAt.set(worker.id, Date.now())
  })
  cluster.on('exit', (worker: Worker, code, signal) => {
    const served = listenedAt.get(worker.id)
    listenedAt.delete(worker.id)
    alive--
    if (stopping) {
      if (alive === 0) process.exit(process.exitCode ?? 0)
      return
    }
    const how = `(${signal ?? code})`
    if (!anyListened) {
      logger.error(`a worker exited ${how} before any could serve; stopping`)
      // 2 is a worker's word that it was set up wrong (see server.ts): the primary says the same.
      process.exitCode = code === 2 ? 2 : 1
      return stopAll()
    }
    failures = served !== undefined && Date.now() - served >= SOUND_AFTER_MS ? 0 : failures + 1
    const delay = failures === 0 ? 0 : restartDelayMs(failures)
    logger.warn(`worker ${worker.process.pid} exited ${how}; starting another${delay ? ` in ${delay} ms` : ''}`)
    setTimeout(() => {
      if (!stopping) cluster.fork()
    }, delay)
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info(`${signal}: stopping ${alive} workers`)
      stopAll()
    })
  }

  for (let i = 0; i < count; i++) cluster.fork()
}
