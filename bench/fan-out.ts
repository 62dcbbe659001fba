// One change reaching N clients held by the server (long polls, event streams or WebSockets): how long each
// waits after the change, how long until the server holds every long poll again when they poll again at once
// (as browsers do), how long writers wait meanwhile, and what each client costs the server in memory and CPU.
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { CartWriters } from './cart-writers.js'
import { postFormRequest, requestOnce, type Answer } from './raw-http.js'
import type { BenchServer } from './server-process.js'
import { median, medianSpread, spreadOf, waitFor, type Spread } from './stats.js'
import { currentVersion } from './stock-version.js'
import { openSubscriber, type ClientKind, type Subscriber } from './subscribers.js'

export interface FanOutResult {
  readonly waiters: number
  readonly clients: ClientKind
  readonly received: number
  readonly errors: number
  /** From the first connection until the server held them all, in ms. */
  readonly openMs: number
  /** From the change being sent to each waiter's answer, in ms. */
  readonly fanOutMs: Spread
  /** From the change until the server held every re-poll, in ms; NaN for clients that do not poll again. */
  readonly heldAgainMs: number
  /** POST /cart answers while the fan-out runs, the change itself included, in ms. */
  readonly postMs: Spread
  readonly rssPerWaiterBytes: number
  /**
   * CPU the server used from the change until every waiter had its answer (and, with re-polls, was held
   * again), per waiter, in µs.
   */
  readonly cpuPerWaiterUs: number
}

const CONNECT_BATCH = 500
const HOLD_TIMEOUT_MS = 60_000
const ANSWER_TIMEOUT_MS = 30_000
/** Writers send a POST this often while the fan-out runs, round the kept-alive connections of a pool. */
const PROBE_EVERY_MS = 2
const WRITER_CONNECTIONS = 8
/** How often the writers' process asks the server how many polls it holds. */
const HELD_PROBE_EVERY_MS = 5

/** The warm-up answers this many held polls with a change, this many times. */
const WARM_UP_POLLERS = 100
const WARM_UP_ROUNDS = 20

/**
 * Sends each server through the paths the measurement takes, clients reached by a change among them, until
 * its JIT has compiled them: the first fan-out of a cold server measures the compiler as much as the server.
 * Long polls warm up as clients that stop, each round's poll asked on the connection the last one was answered on.
 */
async function warmUp(server: BenchServer, clients: ClientKind): Promise<void> {
  const { target } = server
  const kind = clients === 'repoll' ? 'stop' : clients
  const subscribers = await Promise.all(Array.from({ length: WARM_UP_POLLERS }, () => openSubscriber(kind, target)))
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    const version = await currentVersion(target)
    const answers = subscribers.map((subscriber) => subscriber.after(version))
    await waitFor(async () => (await server.held()) === WARM_UP_POLLERS, HOLD_TIMEOUT_MS, 10)
    await requestOnce(target, postFormRequest('/cart', { session: 'warm-up', action: round % 2 ? 'remove' : 'add' }))
    await Promise.all(answers)
  }
  for (const subscriber of subscribers) subscriber.close()
  await waitFor(async () => (await server.held()) === 0, HOLD_TIMEOUT_MS, 10)
}

export async function measureFanOut(server: BenchServer, waiters: number, clients: ClientKind): Promise<FanOutResult> {
  const { target } = server
  await warmUp(server, clients)
  const version = await currentVersion(target)
  await sleep(200)
  const rssIdle = server.rss()

  const subscribers: Subscriber[] = []
  const answers: Promise<Answer | undefined>[] = []
  let errors = 0
  const openedAt = performance.now()
  for (let start = 0; start < waiters; start += CONNECT_BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(CONNECT_BATCH, waiters - start) }, () => openSubscriber(clients, target, 'spread')),
    )
    if (process.env.DBG) console.log('batch', start, (performance.now() - openedAt).toFixed(0))
    for (const subscriber of batch) {
      subscribers.push(subscriber)
      answers.push(
        subscriber.after(version).catch(() => {
          errors++
          return undefined
        }),
      )
    }
  }
  const allHeld = await waitFor(async () => (await server.held()) === waiters, HOLD_TIMEOUT_MS, 20)
  const openMs = performance.now() - openedAt
  if (!allHeld) errors += waiters - (await server.held())
  await sleep(300)
  const rssHeld = server.rss()

  const writers = await CartWriters.open({
    target,
    connections: WRITER_CONNECTIONS,
    everyMs: PROBE_EVERY_MS,
    heldProbeEveryMs: clients === 'repoll' ? HELD_PROBE_EVERY_MS : undefined,
  })
  const cpuBefore = server.cpuMs()
  const writing = writers.run()
  const settled = await Promise.race([Promise.all(answers), sleep(ANSWER_TIMEOUT_MS).then(() => undefined)])
  const received = (settled ?? []).filter((answer): answer is Answer => answer?.status === 200)
  const lastAnswerAt = Math.max(...received.map((answer) => answer.at))
  writing.stop(clients === 'repoll' ? { count: waiters, after: lastAnswerAt } : undefined)
  const { changedAt, latenciesMs, errors: writerErrors, heldAgainAt } = await writing.result
  const serverCpuMs = server.cpuMs() - cpuBefore
  await writers.close()
  // A quiet moment between the fan-out and the teardown, so that a profile can tell them apart.
  await sleep(300)
  for (const subscriber of subscribers) subscriber.close()

  return {
    waiters,
    clients,
    received: received.length,
    errors: errors + writerErrors + (clients === 'repoll' && heldAgainAt === null ? 1 : 0),
    openMs,
    fanOutMs: spreadOf(received.map((answer) => answer.at - changedAt)),
    heldAgainMs: heldAgainAt === null ? Number.NaN : heldAgainAt - changedAt,
    postMs: spreadOf(latenciesMs),
    rssPerWaiterBytes: (rssHeld - rssIdle) / waiters,
    cpuPerWaiterUs: (serverCpuMs * 1000) / waiters,
  }
}

/**
 * Several rounds of one measurement as one: the fewest answers received, every error, and the median of each
 * figure, which one round slowed by the machine's other work does not move.
 */
export const fanOutOverRounds = (rounds: readonly FanOutResult[]): FanOutResult => ({
  waiters: rounds[0]!.waiters,
  clients: rounds[0]!.clients,
  received: Math.min(...rounds.map((round) => round.received)),
  errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  openMs: median(rounds.map((round) => round.openMs)),
  fanOutMs: medianSpread(rounds.map((round) => round.fanOutMs)),
  heldAgainMs: median(rounds.map((round) => round.heldAgainMs)),
  postMs: medianSpread(rounds.map((round) => round.postMs)),
  rssPerWaiterBytes: median(rounds.map((round) => round.rssPerWaiterBytes)),
  cpuPerWaiterUs: median(rounds.map((round) => round.cpuPerWaiterUs)),
})
