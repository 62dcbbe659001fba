import { Hono } from 'hono'
import { jsonAnswerOf } from '../answer.js'
import { methodNotAllowed } from '../errors.js'

/** `POST /session`: a fresh shopper id, for clients that have none yet. */
export function sessionRoutes(newSessionId: () => string): Hono {
  return new Hono()
    .post('/session', () => jsonAnswerOf({ session: newSessionId() }, 201))
    .all('/session', methodNotAllowed('POST'))
}
