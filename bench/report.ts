// The bench's figures as text, and the targets they are judged by.
import type { ChurnResult } from './churn.js'
import type { FanOutResult } from './fan-out.js'
import { CLIENT_KINDS, type ClientKind } from './subscribers.js'
import type { InterestResult } from './interest.js'
import type { ScaleResult } from './scale.js'
import type { ServerKind } from './server-process.js'
import { storesReport, type StoresRun } from './stores.js'

export interface Machine {
  readonly cores: number
  readonly node: string
  readonly fdLimit: number
}

export interface FanOutRow {
  readonly waiters: number
  readonly clients: ClientKind
  readonly baseline: FanOutResult
  readonly stockpoll: FanOutResult
  readonly rounds: readonly Record<ServerKind, FanOutResult>[]
}

export interface BenchResults {
  readonly machine: Machine
  readonly baseline: { readonly yieldEvery: number | null }
  readonly rounds: number
  readonly fanOut: readonly FanOutRow[]
  readonly interest: InterestResult
  readonly churn: Record<ServerKind, ChurnResult>
  readonly stores: StoresRun
}

/** A figure and the bound it must keep: at most `limit`, or at least `atLeast`. */
export type Target = { readonly value: number } & ({ readonly limit: number } | { readonly atLeast: number })

const ratio = (ours: number, theirs: number) => ours / theirs

/**
 * The targets: with clients that poll again at once, at 10 000 and 15 000 waiters, stockpoll's fan-out and
 * its return to holding every poll no slower than the baseline's, writers answered within 20 ms, and no more
 * than 1.2× the CPU per waiter; the same for event streams and WebSockets, with no more than 1.2× the memory
 * per client; and the ones met before re-polling clients were measured, kept.
 */
export function targetsOf({ fanOut, interest, churn }: BenchResults): Record<string, Target> {
  const targets: Record<string, Target> = {}
  const row = (clients: ClientKind, waiters: number) =>
    fanOut.find((each) => each.clients === clients && each.waiters === waiters)
  for (const waiters of [10_000, 15_000]) {
    const repoll = row('repoll', waiters)
    if (repoll) {
      const { stockpoll: s, baseline: b } = repoll
      const name = `repoll ${waiters}`
      targets[`${name}: fan-out p99 vs baseline`] = { value: ratio(s.fanOutMs.p99, b.fanOutMs.p99), limit: 1 }
      targets[`${name}: all held again vs baseline`] = { value: ratio(s.heldAgainMs, b.heldAgainMs), limit: 1 }
      targets[`${name}: POST p99 during the fan-out, ms`] = { value: s.postMs.p99, limit: 20 }
      targets[`${name}: CPU per waiter vs baseline`] = { value: ratio(s.cpuPerWaiterUs, b.cpuPerWaiterUs), limit: 1.2 }
    }
    for (const stream of ['sse', 'ws'] as const) {
      const at = row(stream, waiters)
      if (!at) continue
      const { stockpoll: s, baseline: b } = at
      const name = `${stream} ${waiters}`
      targets[`${name}: fan-out p99 vs baseline`] = { value: ratio(s.fanOutMs.p99, b.fanOutMs.p99), limit: 1 }
      targets[`${name}: POST p99 during the fan-out, ms`] = { value: s.postMs.p99, limit: 20 }
      targets[`${name}: CPU per client vs baseline`] = { value: ratio(s.cpuPerWaiterUs, b.cpuPerWaiterUs), limit: 1.2 }
      targets[`${name}: RSS per client vs baseline`] = {
        value: ratio(s.rssPerWaiterBytes, b.rssPerWaiterBytes),
        limit: 1.2,
      }
    }
  }
  const stop10k = row('stop', 10_000)
  if (stop10k) {
    const { stockpoll: s, baseline: b } = stop10k
    targets['stop 10000: fan-out p99 vs baseline'] = { value: ratio(s.fanOutMs.p99, b.fanOutMs.p99), limit: 1.2 }
    targets['stop 10000: POST p99 during the fan-out, ms'] = { value: s.postMs.p99, limit: 20 }
    targets['stop 10000: RSS per waiter vs baseline'] = {
      value: ratio(s.rssPerWaiterBytes, b.rssPerWaiterBytes),
      limit: 1.2,
    }
  }
  for (const largest of [fanOut.filter((each) => each.clients === 'stop').at(-1)]) {
    if (!largest) continue
    const { stockpoll: s } = largest
    targets[`stop ${largest.waiters}: every waiter answered`] = {
      value: s.received === largest.waiters && s.errors === 0 ? 1 : 0,
      atLeast: 1,
    }
  }
  targets['interest: watchers of the changed product answered'] = {
    value: interest.answered / interest.watchersPerProduct,
    atLeast: 1,
  }
  targets['interest: watchers of other products woken'] = { value: interest.wokenElsewhere, limit: 0 }
  targets['churn: changes/s vs baseline'] = {
    value: ratio(churn.stockpoll.changesPerSecond, churn.baseline.changesPerSecond),
    atLeast: 2,
  }
  targets['churn: waiters left stale'] = { value: churn.stockpoll.stale, limit: 0 }
  return targets
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(1)).padStart(7)
const times = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(2)}×`).padStart(7)
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(6)} KiB`
const us = (value: number) => `${value.toFixed(0).padStart(5)} µs`

const CLIENTS: Record<ClientKind, string> = {
  repoll: 'held long polls, clients that poll again at once on the same connection, as browsers do',
  stop: 'held long polls, clients that stop once answered',
  sse: 'Server-Sent Event streams of the classic stock',
  ws: 'WebSockets following the classic stock',
}

function fanOutTable(rows: readonly FanOutRow[], clients: ClientKind, rounds: number): string[] {
  const lines = [
    `Fan-out to N ${CLIENTS[clients]} (ms; each the median of ${rounds} rounds)`,
    'N        server     received    open ms  fan-out p50     p99     max  held again  POST p99     max  CPU/client  RSS/client',
  ]
  for (const row of rows.filter((each) => each.clients === clients)) {
    for (const kind of ['baseline', 'stockpoll'] as const) {
      const r = row[kind]
      lines.push(
        `${String(row.waiters).padEnd(8)} ${kind.padEnd(10)} ${`${r.received}/${r.waiters}`.padEnd(12)}` +
          `${ms(r.openMs)}      ${ms(r.fanOutMs.p50)} ${ms(r.fanOutMs.p99)} ${ms(r.fanOutMs.max)}     ${ms(r.heldAgainMs)}  ` +
          `${ms(r.postMs.p99)} ${ms(r.postMs.max)}    ${us(r.cpuPerWaiterUs)}  ${kib(r.rssPerWaiterBytes)}` +
          `${r.errors ? `  ${r.errors} errors` : ''}`,
      )
    }
    const { baseline: b, stockpoll: s } = row
    lines.push(
      `${''.padEnd(8)} ${'ratio'.padEnd(10)} ${''.padEnd(12)}${times(s.openMs / b.openMs)}      ` +
        `${times(s.fanOutMs.p50 / b.fanOutMs.p50)} ` +
        `${times(s.fanOutMs.p99 / b.fanOutMs.p99)} ${times(s.fanOutMs.max / b.fanOutMs.max)}     ` +
        `${times(s.heldAgainMs / b.heldAgainMs)}  ${times(s.postMs.p99 / b.postMs.p99)} ` +
        `${times(s.postMs.max / b.postMs.max)}    ${times(s.cpuPerWaiterUs / b.cpuPerWaiterUs).padStart(8)}  ` +
        `${times(s.rssPerWaiterBytes / b.rssPerWaiterBytes).padStart(10)}`,
    )
  }
  return lines
}

export function benchReport(results: BenchResults, targets: Record<string, Target> | null): string {
  const { machine, baseline, rounds, fanOut, interest, churn, stores } = results
  const lines = [
    `stockpoll vs the node:http baseline${baseline.yieldEvery ? `, answering ${baseline.yieldEvery} waiters a turn` : ''}: ` +
      `${machine.cores} cores, Node ${machine.node}`,
  ]
  for (const clients of CLIENT_KINDS) {
    if (fanOut.some((row) => row.clients === clients)) lines.push('', ...fanOutTable(fanOut, clients, rounds))
  }
  const { products, watchersPerProduct, answered, wokenElsewhere, fanOutMs, cpuMs } = interest
  lines.push(
    '',
    `Interest: ${products} products × ${watchersPerProduct} watchers each (stockpoll), one change to one product`,
    `  its watchers answered ${answered}/${watchersPerProduct}, others woken ${wokenElsewhere}; ` +
      `fan-out p50 ${fanOutMs.p50.toFixed(1)} ms, p99 ${fanOutMs.p99.toFixed(1)} ms, max ${fanOutMs.max.toFixed(1)} ms; ` +
      `server CPU ${cpuMs} ms`,
    '',
    `Churn: pollers polling again at once while writers change carts as fast as they are let`,
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
    storesReport(stores),
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
  return lines.join('\n')
}

export function scaleReport(machine: Machine, result: ScaleResult): string {
  const { workers, polls, clientProcesses, received, fanOutMs, workerRss, redisCommands } = result
  const commands = (counts: Readonly<Record<string, number>>) =>
    `${Object.values(counts).reduce((sum, calls) => sum + calls, 0)} (` +
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([name, calls]) => `${name} ${calls}`)
      .join(', ') +
    ')'
  return [
    `stockpoll on Redis, ${workers} workers on one port: ${machine.cores} cores, Node ${machine.node}`,
    `${polls} long polls held from ${clientProcesses} client processes, one change`,
    `  answered ${received}/${polls}; fan-out p50 ${fanOutMs.p50.toFixed(1)} ms, p99 ${fanOutMs.p99.toFixed(1)} ms, ` +
      `max ${fanOutMs.max.toFixed(1)} ms`,
    ...workerRss.map(
      ({ idleBytes, heldBytes, held }, i) =>
        `  worker ${i + 1}: ${held} held, RSS ${(idleBytes / 2 ** 20).toFixed(1)} MiB idle, ` +
        `${(heldBytes / 2 ** 20).toFixed(1)} MiB holding them (${kib((heldBytes - idleBytes) / Math.max(1, held)).trim()} per poll)`,
    ),
    `  Redis commands in the ${redisCommands.ms.toFixed(0)} ms of the change: ${commands(redisCommands.change)}`,
    `  and in as long with no change: ${commands(redisCommands.idle)}`,
  ].join('\n')
}
