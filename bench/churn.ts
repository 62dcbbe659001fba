// Many waiters that poll again the moment they are answered, while writers change carts as fast as they
// are let: how many changes the server takes, how many answers it sends, and whether every waiter ends
// on the newest version once the writers stop.
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { Connection, getRequest, postFormRequest } from './raw-http.js'
import type { BenchServer } from './server-process.js'
import { waitFor } from './stats.js'
import { currentVersion, versionIn } from './stock-version.js'

export interface ChurnOptions {
  readonly pollers: number
  readonly writers: number
  readonly seconds: number
}

export interface ChurnResult {
  readonly changesPerSecond: number
  readonly answersPerSecond: number
  /** Waiters not on the newest version once all is quiet: must be 0. */
  readonly stale: number
}

const SETTLE_TIMEOUT_MS = 5000

export async function measureChurn(
  server: BenchServer,
  { pollers, writers, seconds }: ChurnOptions,
): Promise<ChurnResult> {
  const { target } = server
  const startVersion = await currentVersion(target)
  const cursors = new Array<number>(pollers).fill(startVersion)
  let answers = 0
  let stopping = false

  const pollerConnections = await Promise.all(Array.from({ length: pollers }, () => Connection.open(target)))
  const polling = pollerConnections.map(async (connection, i) => {
    while (!stopping) {
      const answer = await connection
        .request(getRequest(`/status?since=${cursors[i]}&timeout=120`))
        .catch(() => undefined)
      if (!answer || answer.status !== 200) return
      cursors[i] = versionIn(answer.body)
      answers++
    }
  })

  const writerConnections = await Promise.all(Array.from({ length: writers }, () => Connection.open(target)))
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(
    writerConnections.map(async (connection, i) => {
      for (let n = 0; performance.now() < deadline; n++) {
        await connection.request(postFormRequest('/cart', { session: `writer-${i}`, action: n % 2 ? 'remove' : 'add' }))
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const answered = answers
  for (const connection of writerConnections) connection.close()

  const finalVersion = await currentVersion(target)
  await waitFor(() => cursors.every((cursor) => cursor === finalVersion), SETTLE_TIMEOUT_MS)
  stopping = true
  for (const connection of pollerConnections) connection.close()
  await Promise.all(polling)
  await sleep(100)

  return {
    changesPerSecond: (finalVersion - startVersion) / elapsed,
    answersPerSecond: answered / elapsed,
    stale: cursors.filter((cursor) => cursor !== finalVersion).length,
  }
}
