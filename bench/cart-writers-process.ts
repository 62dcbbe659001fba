// The process of `CartWriters`: its event loop does nothing but send cart actions and time their answers.
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import type { CartWritersOptions, FromWriters, ToWriters } from './cart-writers.js'
import { Connection, postFormRequest } from './raw-http.js'

/** However long the fan-out, the writers stop after this. */
const MAX_WRITING_MS = 60_000

const { target, connections, everyMs } = JSON.parse(process.argv[2]!) as CartWritersOptions
const tell = (message: FromWriters) => process.send!(message)
// The load generator is gone: there is no one to tell, and nothing to measure for.
process.once('disconnect', () => process.exit(0))

const writers = await Promise.all(Array.from({ length: connections }, () => Connection.open(target)))
const latenciesMs: number[] = []
let errors = 0
let sent = 0
let stopped = false

async function post(fields: Record<string, string>): Promise<void> {
  const writer = writers[sent++ % writers.length]!
  const at = performance.timeOrigin + performance.now()
  const answer = await writer.request(postFormRequest('/cart', fields))
  if (answer.status === 200) latenciesMs.push(answer.at - at)
  else errors++
}

process.on('message', (message: ToWriters) => void hear(message))

async function hear(message: ToWriters): Promise<void> {
  if (message.type === 'stop') {
    stopped = true
    return
  }
  const changedAt = performance.timeOrigin + performance.now()
  const deadline = changedAt + MAX_WRITING_MS
  const actions = [post({ session: 'writer', action: 'add' })]
  for (let i = 0; !stopped && performance.timeOrigin + performance.now() < deadline; i++) {
    await sleep(everyMs)
    actions.push(post({ session: `probe-${i % 4}`, action: i % 8 < 4 ? 'add' : 'remove' }))
  }
  await Promise.all(actions)
  for (const writer of writers) writer.close()
  tell({ type: 'done', changedAt, latenciesMs, errors })
}
tell({ type: 'ready' })
