// One client process of the scale run: holds its share of long polls, from source addresses of its own so
// that no address runs short of local ports, and times each answer once the change is made.
import type { FromHolders, HoldersOptions, ToHolders } from './poll-holders.js'
import { Connection, getRequest, type Answer } from './raw-http.js'

/** Each source address carries at most this many connections, well inside the local port range. */
const CONNECTIONS_PER_SOURCE_ADDRESS = 10_000
const CONNECT_BATCH = 500

const { target, polls, firstAddress, version, epoch } = JSON.parse(process.argv[2]!) as HoldersOptions
const tell = (message: FromHolders) => process.send!(message)
process.once('disconnect', () => process.exit(0))

const connections: Connection[] = []
const answers: Promise<Answer | undefined>[] = []
for (let start = 0; start < polls; start += CONNECT_BATCH) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(CONNECT_BATCH, polls - start) }, (_, i) => {
      const address = `127.0.${firstAddress + Math.floor((start + i) / CONNECTIONS_PER_SOURCE_ADDRESS)}.1`
      return Connection.open(target, address)
    }),
  )
  for (const connection of batch) {
    connections.push(connection)
    answers.push(
      connection.request(getRequest(`/status?since=${version}&epoch=${epoch}&timeout=120`)).catch(() => undefined),
    )
  }
}

process.on('message', (message: ToHolders) => {
  if (message.type === 'close') {
    for (const connection of connections) connection.close()
    return
  }
  void Promise.all(answers).then((settled) => {
    const received = settled.filter((answer): answer is Answer => answer?.status === 200)
    tell({ type: 'answered', latenciesMs: received.map((answer) => answer.at - message.changedAt) })
  })
})
tell({ type: 'sent' })
