// One client process of the scale run: holds its share of long polls, each from a local end of its own, and
// times each answer once the change is made.
import type { FromHolders, HoldersOptions, ToHolders } from './poll-holders.js'
import { Connection, getRequest, type Answer } from './raw-http.js'

const CONNECT_BATCH = 500

const { target, polls, version, epoch } = JSON.parse(process.argv[2]!) as HoldersOptions
const tell = (message: FromHolders) => process.send!(message)
process.once('disconnect', () => process.exit(0))

const connections: Connection[] = []
const answers: Promise<Answer | undefined>[] = []
for (let start = 0; start < polls; start += CONNECT_BATCH) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(CONNECT_BATCH, polls - start) }, () => Connection.open(target, 'spread')),
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
