// `npm run bench`: stockpoll against the bare node:http baseline, alternately, in one run, on loopback.
// Prints figures and whether each target is met; it asserts nothing and always exits 0 once it has measured.
// `--scale` measures several workers on one Redis instead, and `--verify N` the ledger's check over N movements.
import { execSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { fanOutChart } from './chart.js'
import { measureChurn, type ChurnResult } from './churn.js'
import { measureStores, STORE_KINDS } from './stores.js'
import { fanOutOverRounds, measureFanOut, type FanOutResult } from './fan-out.js'
import { measureInterest } from './interest.js'
import { benchReport, scaleReport, targetsOf, type BenchResults, type FanOutRow } from './report.js'
import { measureScale } from './scale.js'
import { startBenchServer, type BenchServer, type ServerKind } from './server-process.js'
import { CLIENT_KINDS, isStream } from './subscribers.js'
import { measureVerify, verifyReport } from './verify.js'

const sizesOption = (name: string) =>
  z
    .string()
    .regex(/^\d+(,\d+)*$/, { error: `${name} takes whole numbers separated by commas` })
    .transform((text) => text.split(',').map(Number))

const optionsSchema = z.object({
  json: z.boolean(),
  sizes: sizesOption('--sizes'),
  'stream-sizes': sizesOption('--stream-sizes'),
  clients: z
    .string()
    .transform((text) => text.split(','))
    .pipe(
      z.array(z.enum(CLIENT_KINDS, { error: `--clients takes ${CLIENT_KINDS.join(' or ')}, separated by commas` })),
    ),
  'churn-seconds': z.coerce.number().int().min(1).max(60),
  pollers: z.coerce.number().int().min(1).max(5000),
  writers: z.coerce.number().int().min(1).max(64),
  rounds: z.coerce.number().int().min(1).max(9),
  'baseline-yield-every': z.coerce.number().int().min(1).optional(),
  interest: z
    .string()
    .regex(/^\d+x\d+$/, { error: '--interest takes <products>x<watchers of each>, such as 100x100' })
    .transform((text) => text.split('x').map(Number) as [number, number]),
  svg: z.string().optional(),
  scale: z.boolean(),
  workers: z.coerce.number().int().min(1).max(64),
  polls: z.coerce.number().int().min(1).max(200_000),
  'client-processes': z.coerce.number().int().min(1).max(32),
  'redis-url': z.string().regex(/^redis:\/\//, { error: '--redis-url takes a redis:// URL' }),
  verify: z.coerce.number().int().min(1).max(100_000_000).optional(),
  stores: z
    .string()
    .transform((text) => (text === '' ? [] : text.split(',')))
    .pipe(z.array(z.enum(STORE_KINDS, { error: `--stores takes ${STORE_KINDS.join(' or ')}, separated by commas` }))),
  'store-seconds': z.coerce.number().int().min(1).max(60),
  'database-url': z.string().regex(/^postgres(ql)?:\/\//, { error: '--database-url takes a postgres:// URL' }),
})

/** The command line, or a message naming what is wrong with it and exit code 2. */
function readOptions(): z.infer<typeof optionsSchema> {
  try {
    return optionsSchema.parse(
      parseArgs({
        options: {
          json: { type: 'boolean', default: false },
          sizes: { type: 'string', default: '1000,5000,10000,15000,18000' },
          'stream-sizes': { type: 'string', default: '10000,15000' },
          clients: { type: 'string', default: CLIENT_KINDS.join(',') },
          'churn-seconds': { type: 'string', default: '10' },
          pollers: { type: 'string', default: '1000' },
          writers: { type: 'string', default: '8' },
          rounds: { type: 'string', default: '3' },
          'baseline-yield-every': { type: 'string' },
          interest: { type: 'string', default: '100x100' },
          svg: { type: 'string' },
          scale: { type: 'boolean', default: false },
          workers: { type: 'string', default: '4' },
          polls: { type: 'string', default: '60000' },
          'client-processes': { type: 'string', default: '4' },
          'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
          verify: { type: 'string' },
          stores: { type: 'string', default: STORE_KINDS.join(',') },
          'store-seconds': { type: 'string', default: '5' },
          'database-url': {
            type: 'string',
            default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/stockpoll_test',
          },
        },
      }).values,
    )
  } catch (error) {
    console.error(`bench: ${error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message}`)
    process.exit(2)
  }
}

const options = readOptions()
const log = (line: string) => {
  if (!options.json) console.error(line)
}

/** Sockets the generator may hold: its file-descriptor limit, less room for everything else it opens. */
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
const machine = { cores: availableParallelism(), node: process.version, fdLimit }

if (options.scale) {
  const { workers, polls } = options
  log(`scale: ${polls} long polls from ${options['client-processes']} client processes on ${workers} workers…`)
  const result = await measureScale({
    workers,
    polls,
    clientProcesses: options['client-processes'],
    redisUrl: options['redis-url'],
  })
  console.log(options.json ? JSON.stringify({ machine, scale: result }, null, 2) : scaleReport(machine, result))
  process.exit(0)
}

if (options.verify !== undefined) {
  log(`verify: a ledger of ${options.verify} movements…`)
  const result = await measureVerify(options.verify)
  console.log(options.json ? JSON.stringify({ machine, verify: result }, null, 2) : verifyReport(result))
  process.exit(0)
}

const maxWaiters = fdLimit - 500
const sizesOf = (sizes: readonly number[]) => sizes.map((n) => Math.min(n, maxWaiters))
const yieldEvery = options['baseline-yield-every']
const baselineEnv: Record<string, string> = yieldEvery ? { BASELINE_YIELD_EVERY: String(yieldEvery) } : {}

async function withServer<T>(kind: ServerKind, measure: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer(kind, kind === 'baseline' ? baselineEnv : {})
  try {
    return await measure(server)
  } finally {
    await server.stop()
  }
}

/** Runs both servers one after the other, the order swapped each time, since this machine's speed drifts. */
async function bothAlternately<T>(turn: number, measure: (server: BenchServer) => Promise<T>) {
  const order: ServerKind[] = turn % 2 ? ['stockpoll', 'baseline'] : ['baseline', 'stockpoll']
  const results = {} as Record<ServerKind, T>
  for (const kind of order) results[kind] = await withServer(kind, measure)
  return results
}

// Each size is measured over several rounds, both servers in each, and reported as the median round's figures:
// on a shared machine one round can be slowed by a third, for either server.
let turn = 0
const fanOut: FanOutRow[] = []
for (const clients of options.clients) {
  for (const waiters of sizesOf(isStream(clients) ? options['stream-sizes'] : options.sizes)) {
    const rounds: Record<ServerKind, FanOutResult>[] = []
    for (let round = 1; round <= options.rounds; round++) {
      log(`fan-out to ${waiters} clients (${clients}), round ${round} of ${options.rounds}…`)
      rounds.push(await bothAlternately(turn++, (server) => measureFanOut(server, waiters, clients)))
    }
    const overRounds = (kind: ServerKind) => fanOutOverRounds(rounds.map((round) => round[kind]))
    fanOut.push({ waiters, clients, baseline: overRounds('baseline'), stockpoll: overRounds('stockpoll'), rounds })
  }
}

const [products, watchersPerProduct] = options.interest
log(`interest: ${products} products × ${watchersPerProduct} watchers, one change…`)
const interest = await measureInterest(products, watchersPerProduct)

log(`churn: ${options.pollers} pollers, ${options.writers} writers, ${options['churn-seconds']} s…`)
const churn: Record<ServerKind, ChurnResult> = await bothAlternately(turn, (server) =>
  measureChurn(server, { pollers: options.pollers, writers: options.writers, seconds: options['churn-seconds'] }),
)

log(`stores: ${options.writers} writers on ${options.stores.join(', ')}, ${options['store-seconds']} s each…`)
const storesRun = {
  writers: options.writers,
  seconds: options['store-seconds'],
  results: await measureStores({
    stores: options.stores,
    writers: options.writers,
    seconds: options['store-seconds'],
    redisUrl: options['redis-url'],
    databaseUrl: options['database-url'],
  }),
}

const results: BenchResults = {
  machine,
  baseline: { yieldEvery: yieldEvery ?? null },
  rounds: options.rounds,
  fanOut,
  interest,
  churn,
  stores: storesRun,
}
// The targets are set against the baseline that answers every waiter in one loop, not a yielding one.
const targets = yieldEvery ? null : targetsOf(results)
if (options.svg) writeFileSync(options.svg, fanOutChart(results))
console.log(options.json ? JSON.stringify({ ...results, targets }, null, 2) : benchReport(results, targets))
