// `npm run bench`: stockpoll against the bare node:http baseline, alternately, in one run, on loopback.
// Prints figures and whether each target is met; it asserts nothing and always exits 0 once it has measured.
import { execSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { measureChurn, type ChurnResult } from './churn.js'
import { fanOutOverRounds, measureFanOut, type FanOutResult } from './fan-out.js'
import { startBenchServer, type BenchServer, type ServerKind } from './server-process.js'

const optionsSchema = z.object({
  json: z.boolean(),
  sizes: z
    .string()
    .regex(/^\d+(,\d+)*$/, { error: '--sizes takes whole numbers separated by commas' })
    .transform((list) => list.split(',').map(Number)),
  'churn-seconds': z.coerce.number().int().min(1).max(60),
  pollers: z.coerce.number().int().min(1).max(5000),
  writers: z.coerce.number().int().min(1).max(64),
  rounds: z.coerce.number().int().min(1).max(9),
  'baseline-yield-every': z.coerce.number().int().min(1).optional(),
})

/** The command line, or a message naming what is wrong with it and exit code 2. */
function readOptions(): z.infer<typeof optionsSchema> {
  try {
    return optionsSchema.parse(
      parseArgs({
        options: {
          json: { type: 'boolean', default: false },
          sizes: { type: 'string', default: '1000,5000,10000,18000' },
          'churn-seconds': { type: 'string', default: '10' },
          pollers: { type: 'string', default: '1000' },
          writers: { type: 'string', default: '8' },
          rounds: { type: 'string', default: '3' },
          'baseline-yield-every': { type: 'string' },
        },
      }).values,
    )
  } catch (error) {
    console.error(`bench: ${error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message}`)
    process.exit(2)
  }
}

const options = readOptions()

/** Sockets the generator may hold: its file-descriptor limit, less room for everything else it opens. */
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
const maxWaiters = fdLimit - 500
const sizes = options.sizes.map((n) => Math.min(n, maxWaiters))
const yieldEvery = options['baseline-yield-every']
const baselineEnv: Record<string, string> = yieldEvery ? { BASELINE_YIELD_EVERY: String(yieldEvery) } : {}
const baselineName = `the node:http baseline${yieldEvery ? `, answering ${yieldEvery} waiters a turn` : ''}`
const log = (line: string) => {
  if (!options.json) console.error(line)
}

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
const fanOut: {
  waiters: number
  baseline: FanOutResult
  stockpoll: FanOutResult
  rounds: Record<ServerKind, FanOutResult>[]
}[] = []
for (const waiters of sizes) {
  const rounds: Record<ServerKind, FanOutResult>[] = []
  for (let round = 1; round <= options.rounds; round++) {
    log(`fan-out to ${waiters} waiters, round ${round} of ${options.rounds}…`)
    rounds.push(await bothAlternately(turn++, (server) => measureFanOut(server, waiters)))
  }
  const overRounds = (kind: ServerKind) => fanOutOverRounds(rounds.map((round) => round[kind]))
  fanOut.push({ waiters, baseline: overRounds('baseline'), stockpoll: overRounds('stockpoll'), rounds })
}
log(`churn: ${options.pollers} pollers, ${options.writers} writers, ${options['churn-seconds']} s…`)
const churn: Record<ServerKind, ChurnResult> = await bothAlternately(turn, (server) =>
  measureChurn(server, { pollers: options.pollers, writers: options.writers, seconds: options['churn-seconds'] }),
)

const at10k = fanOut.find((row) => row.waiters === 10_000)
const largest = fanOut.at(-1)
const ratio = (ours: number, theirs: number) => ours / theirs
// The issue's targets are set against the baseline that answers every waiter in one loop, not a yielding one.
const targets = yieldEvery
  ? null
  : {
      ...(at10k && {
        fanOutP99VsBaseline: { value: ratio(at10k.stockpoll.fanOutMs.p99, at10k.baseline.fanOutMs.p99), limit: 1.2 },
        postP99DuringFanOutMs: { value: at10k.stockpoll.postMs.p99, limit: 20 },
        rssPerWaiterVsBaseline: {
          value: ratio(at10k.stockpoll.rssPerWaiterBytes, at10k.baseline.rssPerWaiterBytes),
          limit: 1.2,
        },
      }),
      ...(largest && {
        allAnsweredAtLargest: {
          value: largest.stockpoll.received === largest.waiters && largest.stockpoll.errors === 0 ? 1 : 0,
          atLeast: 1,
        },
      }),
      churnChangesVsBaseline: {
        value: ratio(churn.stockpoll.changesPerSecond, churn.baseline.changesPerSecond),
        atLeast: 2,
      },
      churnStale: { value: churn.stockpoll.stale, limit: 0 },
    }
const machine = { cores: availableParallelism(), node: process.version, fdLimit }
const baseline = { yieldEvery: yieldEvery ?? null }

if (options.json) {
  console.log(JSON.stringify({ machine, baseline, fanOut, churn, targets }, null, 2))
} else {
  const ms = (value: number) => value.toFixed(1).padStart(7)
  const times = (value: number) => `${value.toFixed(2)}×`.padStart(7)
  const lines = [
    `stockpoll vs ${baselineName}: ${machine.cores} cores, Node ${machine.node}`,
    '',
    `Fan-out: one change reaching N held long polls (times in ms, each the median of ${options.rounds} rounds)`,
    'waiters  server     received   fan-out p50     p99     max  POST p99     max  RSS/waiter',
  ]
  for (const row of fanOut) {
    for (const kind of ['baseline', 'stockpoll'] as const) {
      const r = row[kind]
      lines.push(
        `${String(row.waiters).padEnd(8)} ${kind.padEnd(10)} ${`${r.received}/${r.waiters}`.padEnd(11)}` +
          `${ms(r.fanOutMs.p50)} ${ms(r.fanOutMs.p99)} ${ms(r.fanOutMs.max)}  ${ms(r.postMs.p99)} ${ms(r.postMs.max)}` +
          `  ${(r.rssPerWaiterBytes / 1024).toFixed(1).padStart(7)} KiB${r.errors ? `  ${r.errors} errors` : ''}`,
      )
    }
    const { baseline: b, stockpoll: s } = row
    lines.push(
      `${''.padEnd(8)} ${'ratio'.padEnd(10)} ${''.padEnd(11)}${times(s.fanOutMs.p50 / b.fanOutMs.p50)} ` +
        `${times(s.fanOutMs.p99 / b.fanOutMs.p99)} ${times(s.fanOutMs.max / b.fanOutMs.max)}  ` +
        `${times(s.postMs.p99 / b.postMs.p99)} ${times(s.postMs.max / b.postMs.max)}  ` +
        `${times(s.rssPerWaiterBytes / b.rssPerWaiterBytes)}`,
    )
  }
  lines.push(
    '',
    `Churn: ${options.pollers} pollers polling again at once, ${options.writers} writers, ${options['churn-seconds']} s`,
    'server     changes/s  answers/s  stale',
  )
  for (const kind of ['baseline', 'stockpoll'] as const) {
    const c = churn[kind]
    lines.push(
      `${kind.padEnd(10)} ${c.changesPerSecond.toFixed(0).padStart(9)} ${c.answersPerSecond.toFixed(0).padStart(10)} ${String(c.stale).padStart(6)}`,
    )
  }
  lines.push(
    `${'ratio'.padEnd(10)} ${times(churn.stockpoll.changesPerSecond / churn.baseline.changesPerSecond).padStart(9)} ` +
      `${times(churn.stockpoll.answersPerSecond / churn.baseline.answersPerSecond).padStart(10)}`,
    '',
    targets
      ? 'Targets'
      : 'Targets are judged against the baseline that answers every waiter in one loop: run without --baseline-yield-every.',
  )
  for (const [name, target] of Object.entries(targets ?? {})) {
    const met = 'limit' in target ? target.value <= target.limit : target.value >= target.atLeast
    const bound = 'limit' in target ? `≤ ${target.limit}` : `≥ ${target.atLeast}`
    lines.push(`  ${met ? 'met    ' : 'NOT MET'}  ${name}: ${target.value.toFixed(2)} (${bound})`)
  }
  console.log(lines.join('\n'))
}
