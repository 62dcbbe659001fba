// One change reaching N held polls: how long each waits after the change, how long until the server holds
// them all again when they poll again at once (as browsers do), how long writers wait meanwhile, and what each
// held poll costs the server in memory and in CPU.
import { setTimeout as sleep } from 'node:timers/promises'
import { CartWriters } from './cart-writers.js'
import { Connection, getRequest, postFormRequest, requestOnce, type Answer } from './raw-http.js'
import type { BenchServer } from './server-process.js'
import { median, medianSpread, spreadOf, waitFor, type Spread } from './stats.js'
import { currentVersion, epochIn, versionIn } from './stock-version.js'

/**
 * What a client does once answered: `repoll`, as a browser does, asks again at once on the same connection
 * with the cursor of its answer; `stop` asks nothing more.
 */
export const CLIENT_KINDS = ['repoll', 'stop'] as const
export type ClientKind = (typeof CLIENT_KINDS)[number]

export interface FanOutResult {
  readonly waiters: number
  readonly clients: ClientKind
  readonly received: number
  readonly errors: number
  /** From the change being sent to each waiter's answer, in ms. */
  readonly fanOutMs: Spread
  /** From the change until the server held every re-poll, in ms; NaN when clients stop. */
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

/** Each source address carries at most this many connections, so local ports never run short. */
const CONNECTIONS_PER_SOURCE_ADDRESS = 10_000
const CONNECT_BATCH = 500
const HOLD_TIMEOUT_MS = 60_000
const ANSWER_TIMEOUT_MS = 30_000
/** Writers send a POST this often while the fan-out runs, round the kept-alive connections of a pool. */
const PROBE_EVERY_MS = 2
const WRITER_CONNECTIONS = 8
/** How often the writers' process asks the server how many polls it holds. */
const HELD_PROBE_EVERY_MS = 5

/** The query of a poll from a cursor: `since`, and `epoch` where the server has one (the baseline has none). */
const pollFrom = (version: number, epoch: string | undefined) =>
  getRequest(`/status?since=${version}${epoch === undefined ? '' : `&epoch=${epoch}`}&timeout=120`)

/** The warm-up answers this many held polls with a change, this many times. */
const WARM_UP_POLLERS = 100
const WARM_UP_ROUNDS = 20

const sourceAddress = (index: number) => `127.0.0.${1 + Math.floor(index / CONNECTIONS_PER_SOURCE_ADDRESS)}`

/**
 * Sends each server through the paths the measurement takes, held polls answered by a change among them, until
 * its JIT has compiled them: the first fan-out of a cold server measures the compiler as much as the server.
 */
async function warmUp(server: BenchServer): Promise<void> {
  const { target } = server
  const pollers = await Promise.all(Array.from({ length: WARM_UP_POLLERS }, () => Connection.open(target)))
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    const version = await currentVersion(target)
    const answers = pollers.map((poller) => poller.request(getRequest(`/status?since=${version}&timeout=120`)))
    await waitFor(async () => (await server.held()) === WARM_UP_POLLERS, HOLD_TIMEOUT_MS, 10)
    await requestOnce(target, postFormRequest('/cart', { session: 'warm-up', action: round % 2 ? 'remove' : 'add' }))
    await Promise.all(answers)
  }
  for (const poller of pollers) poller.close()
}

export async function measureFanOut(server: BenchServer, waiters: number, clients: ClientKind): Promise<FanOutResult> {
  const { target } = server
  await warmUp(server)
  const version = await currentVersion(target)
  await sleep(200)
  const rssIdle = server.rss()

  const connections: Connection[] = []
  const answers: Promise<Answer | undefined>[] = []
  let errors = 0
  for (let start = 0; start < waiters; start += CONNECT_BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(CONNECT_BATCH, waiters - start) }, (_, i) =>
        Connection.open(target, sourceAddress(start + i)),
      ),
    )
    for (const connection of batch) {
      connections.push(connection)
      const answer = connection.request(pollFrom(version, undefined))
      if (clients === 'repoll') {
        // Asks again the moment it is answered, from the cursor it was given; that poll is held to the end.
        void answer.then(
          ({ body }) => connection.request(pollFrom(versionIn(body), epochIn(body))).catch(() => {}),
          () => {},
        )
      }
      answers.push(
        answer.catch(() => {
          errors++
          return undefined
        }),
      )
    }
  }
  const allHeld = await waitFor(async () => (await server.held()) === waiters, HOLD_TIMEOUT_MS, 100)
  if (!allHeld) errors += waiters - (await server.held())
  await sleep(300)
  const rssHeld = server.rss()

  const writers = await CartWriters.open({
    target,
    connections: WRITER_CONNECTIONS,
    everyMs: PROBE_EVERY_MS,
    heldProbeEveryMs: HELD_PROBE_EVERY_MS,
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
  for (const connection of connections) connection.close()

  return {
    waiters,
    clients,
    received: received.length,
    errors: errors + writerErrors + (clients === 'repoll' && heldAgainAt === null ? 1 : 0),
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
  fanOutMs: medianSpread(rounds.map((round) => round.fanOutMs)),
  heldAgainMs: median(rounds.map((round) => round.heldAgainMs)),
  postMs: medianSpread(rounds.map((round) => round.postMs)),
  rssPerWaiterBytes: median(rounds.map((round) => round.rssPerWaiterBytes)),
  cpuPerWaiterUs: median(rounds.map((round) => round.cpuPerWaiterUs)),
})
