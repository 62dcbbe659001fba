import cluster from 'node:cluster'
import { ConfigError } from './config-error.js'
import { loadConfig, type Config } from './config.js'
import type { StoreConfig } from './store/open-store.js'
import type { CatalogSnapshot } from './domain/catalog.js'
import { createLogger, type Logger } from './logger.js'
import { startServer } from './start-server.js'
import { StoreUnusableError } from './store/store-unusable-error.js'
import { describeServer } from './store/redis-server.js'
import { superviseWorkers } from './workers.js'

/** The configuration, or one log line naming every bad variable and exit code 2. */
function configFromEnvironment(): Config {
  try {
    return loadConfig(process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // LOG_LEVEL may be among the bad variables: this line is written whatever it says.
    createLogger('info').error({ code: err.code }, err.message)
    process.exit(2)
  }
}

function describeStore(store: StoreConfig): string {
  switch (store.kind) {
    case 'sqlite':
      return `in SQLite at ${store.file}`
    case 'memory':
      return 'in memory'
    case 'redis':
      return `in ${describeServer(store.server)} under ${store.keyPrefix}`
    case 'postgres': {
      const { host, pathname } = new URL(store.url)
      return `in PostgreSQL at ${host}${pathname}, schema ${store.schema}`
    }
  }
}

async function serve(config: Config, logger: Logger): Promise<void> {
  const server = await startServer(config, { logger }).catch((err: unknown) => {
    // A store set up wrong is the operator's to change, like a bad variable: one line that says what, exit 2.
    if (err instanceof StoreUnusableError) {
      logger.error({ code: err.code }, err.message)
      process.exit(2)
    }
    logger.error({ err }, `cannot start on ${config.host}:${config.port}`)
    process.exit(1)
  })
  const worker = cluster.isWorker ? `worker ${process.pid}, ` : ''
  const where = `${describeStore(config.store)}, on ${server.url}`
  // What the store serves, which a store that keeps its catalog may have changed since the configuration's.
  const serving = (catalog: CatalogSnapshot) => {
    const [first, ...more] = catalog.products
    const stock = more.length > 0 ? `${catalog.products.length} products` : `${first?.onHand ?? 0} units`
    logger.info({ url: server.url }, `stockpoll: ${worker}${stock}, ${where}`)
  }
  if (server.catalog) serving(server.catalog)
  else {
    logger.info({ url: server.url }, `stockpoll: ${worker}${where}; serving once the store is reached`)
    void server.ready.then(() => server.catalog && serving(server.catalog))
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const spread = config.shutdownSpreadMs
      logger.info(`${worker}${signal}: answering ${server.held} held requests over ${spread} ms and stopping`)
      void server.close().then(() => process.exit(0))
    })
  }
}

const config = configFromEnvironment()
const logger = createLogger(config.logLevel)
if (cluster.isPrimary && config.workers > 1) superviseWorkers(config.workers, logger)
else await serve(config, logger)
