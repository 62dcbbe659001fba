// `npm run example`: stockpoll on port 3000 with the example catalog, and a shop's own storefront on port
// 8080, another origin, which stockpoll's ALLOWED_ORIGINS lets read the stock and fill carts.
import { fileURLToPath } from 'node:url'
import { startStorefront } from '../examples/storefront/server.js'
import { loadConfig } from '../src/config.js'
import { startServer } from '../src/start-server.js'

const STOREFRONT_PORT = 8080
const STOREFRONT_ORIGIN = `http://localhost:${STOREFRONT_PORT}`
const CATALOG = fileURLToPath(new URL('../deploy/catalog.example.json', import.meta.url))

const stockpoll = await startServer(
  loadConfig({
    PORT: '3000',
    HOST: 'localhost',
    STORE: 'memory',
    CATALOG_FILE: CATALOG,
    ALLOWED_ORIGINS: STOREFRONT_ORIGIN,
  }),
)
const storefront = await startStorefront(stockpoll.url, STOREFRONT_PORT)
console.log(`stockpoll at ${stockpoll.url}; the storefront at ${storefront.url}: open it in two windows`)
