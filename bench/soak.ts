// `npm run soak`: waves of long polls against one stockpoll process, each wave held, half of it dropped by
// its clients and half answered by a change, then closed. At the end the server must hold nothing, and its
// memory, at rest, must be back within 10 % of where it was at rest after the warm-up waves: V8 sizes its
// heap over the first waves, which a measure taken before would count as a leak.
// Bounded in waves, size and time; loopback only. Prints figures; exits 1 when either check fails.
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { Connection, getRequest, postFormRequest, requestOnce } from './raw-http.js'
import { startBenchServer, type BenchServer } from './server-process.js'
import { currentVersion } from './stock-version.js'
import { waitFor } from './stats.js'

const options = z
  .object({
    'warm-up': z.coerce.number().int().min(1).max(50),
    waves: z.coerce.number().int().min(1).max(200),
    size: z.coerce.number().int().min(1).max(8000),
    seconds: z.coerce.number().int().min(10).max(600),
  })
  .parse(
    parseArgs({
      options: {
        'warm-up': { type: 'string', default: '15' },
        waves: { type: 'string', default: '40' },
        size: { type: 'string', default: '2000' },
        seconds: { type: 'string', default: '240' },
      },
    }).values,
  )

const SETTLE_MS = 10_000
const RSS_TOLERANCE = 0.1

let changes = 0

/** One wave: `size` polls held; half dropped by their clients, the rest answered by one change. */
async function wave(server: BenchServer, size: number, n: number): Promise<{ answered: number; dropped: number }> {
  const { target } = server
  const since = await currentVersion(target)
  const connections = await Promise.all(Array.from({ length: size }, () => Connection.open(target)))
  const answers = connections.map((connection) =>
    connection.request(getRequest(`/status?since=${since}&timeout=60`)).then(
      (answer) => answer.status === 200,
      () => false,
    ),
  )
  if (!(await waitFor(async () => (await server.held()) === size, SETTLE_MS)))
    throw new Error(`wave ${n}: not all held`)
  const dropping = connections.slice(0, size / 2)
  for (const connection of dropping) connection.close()
  // Add and remove in turn, so that every wave's action is a change.
  const change = await requestOnce(
    target,
    postFormRequest('/cart', { session: 'soak', action: changes++ % 2 ? 'remove' : 'add' }),
  )
  if (change.status !== 200) throw new Error(`wave ${n}: the change was refused with ${change.status}`)
  const results = await Promise.all(answers)
  for (const connection of connections.slice(size / 2)) connection.close()
  if (!(await waitFor(async () => (await server.held()) === 0, SETTLE_MS)))
    throw new Error(`wave ${n}: waiters left behind`)
  return { answered: results.filter(Boolean).length, dropped: dropping.length }
}

const server = await startBenchServer('stockpoll')
const started = Date.now()
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1)
/**
 * Memory is compared at rest: V8's memory reducer shrinks the heap some seconds after allocation stops, so
 * RSS measured in the middle of the load swings by a fifth with the timing of its collections.
 */
const REST_MS = 12_000

async function restingRss(server: BenchServer): Promise<number> {
  await sleep(REST_MS)
  return server.rss()
}

try {
  const rssIdle = server.rss()
  for (let n = 1; n <= options['warm-up']; n++) await wave(server, options.size, -n)
  const rssStart = await restingRss(server)
  console.log(
    `soak: ${options.waves} waves of ${options.size} long polls; RSS ${mib(rssIdle)} MiB idle, ` +
      `${mib(rssStart)} MiB at rest after ${options['warm-up']} warm-up waves`,
  )
  let waves = 0
  let answered = 0
  let dropped = 0
  for (let n = 1; n <= options.waves && Date.now() - started < options.seconds * 1000; n++) {
    const result = await wave(server, options.size, n)
    waves++
    answered += result.answered
    dropped += result.dropped
    if (n % 10 === 0) console.log(`  after wave ${n}: RSS ${mib(server.rss())} MiB`)
  }
  const held = await server.held()
  const rssEnd = await restingRss(server)
  const growth = rssEnd / rssStart - 1
  console.log(
    [
      `waves: ${waves} after the warm-up, ${((Date.now() - started) / 1000).toFixed(0)} s in all; ` +
        `polls answered ${answered}, dropped by clients ${dropped}`,
      `held at the end: ${held} (must be 0)`,
      `RSS at rest: ${mib(rssStart)} → ${mib(rssEnd)} MiB, ` +
        `${(growth * 100).toFixed(1)} % (must be within ${RSS_TOLERANCE * 100} %)`,
    ].join('\n'),
  )
  process.exitCode = held === 0 && Math.abs(growth) <= RSS_TOLERANCE ? 0 : 1
} finally {
  await server.stop()
}
