import { Hono } from 'hono'
import { z } from 'zod'
import { jsonAnswerOf } from '../../edge/answer.js'
import { methodNotAllowed } from '../errors.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'

const newSession = {
  method: 'post',
  path: '/session',
  summary: 'A fresh shopper id, for a client that has none yet',
  answers: { 201: { description: 'The id', body: z.object({ session: z.string() }) } },
} as const satisfies Operation

export const sessionOperations: readonly Operation[] = [newSession]

/** `POST /session`: a fresh shopper id, for clients that have none yet. */
export function sessionRoutes(newSessionId: () => string): Hono {
  return new Hono()
    .post(routeOf(newSession), () => jsonAnswerOf({ session: newSessionId() }, 201))
    .all(routeOf(newSession), methodNotAllowed('POST'))
}
