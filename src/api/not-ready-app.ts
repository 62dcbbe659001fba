import { Hono } from 'hono'
import type { Logger } from '../logger.js'
import { StoreUnavailableError } from '../store/store-unavailable-error.js'
import { jsonAnswerOf } from '../edge/answer.js'
import { noneHeld } from '../push/transport.js'
import { errorHandler } from './errors.js'

/**
 * What a process serves until it first reaches its store: it is alive (`/healthz`, holding nothing) but not
 * ready, and every other request is `503 store_unavailable`, so that clients come back and a proxy sends
 * them elsewhere meanwhile. Its refusals are answered as every app's are, and a fault logged to `logger`.
 */
export function createNotReadyApp(logger: Logger): Hono {
  return new Hono()
    .get('/healthz', () => jsonAnswerOf({ ok: true, held: noneHeld() }))
    .all('*', () => {
      throw new StoreUnavailableError('the store has not been reached since this process started')
    })
    .onError(errorHandler(logger))
}
