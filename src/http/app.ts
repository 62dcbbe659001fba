import { fileURLToPath } from 'node:url'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { nanoid } from 'nanoid'
import type { Hub } from '../push/hub.js'
import type { Store } from '../store/store.js'
import { notFound, onError } from './errors.js'
import { cartRoutes } from './routes/cart.js'
import { eventsRoutes } from './routes/events.js'
import { healthRoutes } from './routes/health.js'
import { inventoryRoutes } from './routes/inventory.js'
import { sessionRoutes } from './routes/session.js'
import { statusRoutes } from './routes/status.js'
import { websocketRoutes } from './routes/websocket.js'

export interface AppDeps {
  readonly store: Store
  readonly hub: Hub
  /** How long `GET /status` holds a request when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  /** How often `GET /events` sends a comment on an idle stream. */
  readonly heartbeatSeconds: number
  /** Where the page's files are; `public/` of this package unless told otherwise. */
  readonly publicDir?: string
  readonly newSessionId?: () => string
}

const PACKAGE_PUBLIC_DIR = fileURLToPath(new URL('../../public', import.meta.url))

/** Builds the whole HTTP surface from its collaborators; it holds no state of its own. */
export function createApp({
  store,
  hub,
  pollTimeoutSeconds,
  heartbeatSeconds,
  publicDir = PACKAGE_PUBLIC_DIR,
  newSessionId = nanoid,
}: AppDeps): Hono {
  const app = new Hono()
  app.route('/', sessionRoutes(newSessionId))
  app.route('/', inventoryRoutes(store))
  app.route('/', cartRoutes(store))
  app.route('/', statusRoutes(hub, pollTimeoutSeconds))
  app.route('/', eventsRoutes(hub, heartbeatSeconds))
  app.route('/', websocketRoutes(hub, store))
  app.route('/', healthRoutes(store, hub))
  app.get(
    '*',
    async (c, next) => {
      // The page's files are tiny and this static server answers no conditional requests: fetch afresh.
      c.header('Cache-Control', 'no-store')
      await next()
    },
    serveStatic({ root: publicDir }),
  )
  app.notFound(notFound)
  app.onError(onError)
  return app
}
