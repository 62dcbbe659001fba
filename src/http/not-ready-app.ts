import { Hono } from 'hono'
import { StoreUnavailableError } from '../store/store.js'
import { jsonAnswerOf } from './answer.js'
import { onError } from './errors.js'

/**
 * What a process serves until it first reaches its store: it is alive (`/healthz`, holding nothing) but not
 * ready, and every other request is `503 store_unavailable`, so that clients come back and a proxy sends
 * them elsewhere meanwhile.
 */
export function createNotReadyApp(): Hono {
  return new Hono()
    .get('/healthz', () => jsonAnswerOf({ ok: true, held: { longPoll: 0, sse: 0, ws: 0 } }))
    .all('*', () => {
      throw new StoreUnavailableError('the store has not been reached since this process started')
    })
    .onError(onError)
}
