// The process of `CartWriters`: its event loop does nothing but send cart actions, time their answers, and
// ask the server how many polls it holds.
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import type { CartWritersOptions, FromWriters, ToWriters } from './cart-writers.js'
import { Connection, getRequest, postFormRequest } from './raw-http.js'
import { heldIn } from './stock-version.js'

/** However long the fan-out, the writers stop after this. */
const MAX_WRITING_MS = 60_000

const { target, connections, everyMs, heldProbeEveryMs } = JSON.parse(process.argv[2]!) as CartWritersOptions
const tell = (message: FromWriters) => process.send!(message)
// The load generator is gone: there is no one to tell, and nothing to measure for.
process.once('disconnect', () => process.exit(0))

const now = () => performance.timeOrigin + performance.now()
const writers = await Promise.all(Array.from({ length: connections }, () => Connection.open(target)))
const prober = await Connection.open(target)
const latenciesMs: number[] = []
let errors = 0
let sent = 0
let stop: Extract<ToWriters, { type: 'stop' }> | undefined
/** When the server was first seen holding `untilHeld.count` polls again, on a probe sent after `untilHeld.after`. */
let heldAgainAt: number | undefined

async function post(fields: Record<string, string>): Promise<void> {
  const writer = writers[sent++ % writers.length]!
  const at = now()
  const answer = await writer.request(postFormRequest('/cart', fields))
  if (answer.status === 200) latenciesMs.push(answer.at - at)
  else errors++
}

/** Whether the writers may stop: told to, and, when told to wait for it, the polls are all held again. */
const done = () => stop !== undefined && (stop.untilHeld === undefined || heldAgainAt !== undefined)

async function probeHeld(deadline: number): Promise<void> {
  if (heldProbeEveryMs === undefined) return
  while (!done() && now() < deadline) {
    const sentAt = now()
    const answer = await prober.request(getRequest('/healthz'))
    const wanted = stop?.untilHeld
    if (wanted && sentAt >= wanted.after && heldIn(answer.body) >= wanted.count) heldAgainAt = answer.at
    await sleep(heldProbeEveryMs)
  }
}

process.on('message', (message: ToWriters) => void hear(message))

async function hear(message: ToWriters): Promise<void> {
  if (message.type === 'stop') {
    stop = message
    return
  }
  const changedAt = now()
  const deadline = changedAt + MAX_WRITING_MS
  const probing = probeHeld(deadline)
  const actions = [post({ session: 'writer', action: 'add' })]
  // Each later action renews the hold the first one took: the whole path of a cart action, but no change,
  // so that the one change stays the only fan-out measured.
  while (!done() && now() < deadline) {
    await sleep(everyMs)
    actions.push(post({ session: 'writer', action: 'add' }))
  }
  await Promise.all([...actions, probing])
  for (const writer of [...writers, prober]) writer.close()
  tell({ type: 'done', changedAt, latenciesMs, errors, heldAgainAt: heldAgainAt ?? null })
}
tell({ type: 'ready' })
