import { ConfigError, loadConfig, type Config } from './config.js'
import { startServer } from './start-server.js'

function configFromEnvironment(): Config {
  try {
    return loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`stockpoll: ${error.message}`)
    process.exit(2)
  }
}

const config = configFromEnvironment()
const server = await startServer(config).catch((error: unknown) => {
  console.error(`stockpoll: cannot listen on ${config.host}:${config.port}: ${String(error)}`)
  process.exit(1)
})
console.log(`stockpoll: ${config.totalInventory} units, in memory, on ${server.url}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    console.log(`stockpoll: ${signal}: answering ${server.hub.held} held requests and stopping`)
    void server.close().then(() => process.exit(0))
  })
}
