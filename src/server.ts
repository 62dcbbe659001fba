import cluster from 'node:cluster'
import { ConfigError, loadConfig, type Config, type StoreConfig } from './config.js'
import { errorFields, log, setLogLevel } from './log.js'
import { startServer } from './start-server.js'
import { superviseWorkers } from './workers.js'

function configFromEnvironment(): Config {
  try {
    return loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`stockpoll: ${error.message}`)
    process.exit(2)
  }
}

const describeStore = (store: StoreConfig): string =>
  store.kind === 'redis' ? `in Redis at ${new URL(store.url).host} under ${store.keyPrefix}` : 'in memory'

async function serve(config: Config): Promise<void> {
  const server = await startServer(config).catch((error: unknown) => {
    log.error(`cannot start on ${config.host}:${config.port}`, errorFields(error))
    process.exit(1)
  })
  const worker = cluster.isWorker ? `worker ${process.pid}, ` : ''
  log.info(`stockpoll: ${worker}${config.totalInventory} units, ${describeStore(config.store)}, on ${server.url}`, {
    url: server.url,
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const spread = config.shutdownSpreadMs
      log.info(`${worker}${signal}: answering ${server.held} held requests over ${spread} ms and stopping`)
      void server.close().then(() => process.exit(0))
    })
  }
}

const config = configFromEnvironment()
setLogLevel(config.logLevel)
if (cluster.isPrimary && config.workers > 1) superviseWorkers(config.workers)
else await serve(config)
