import { Hono } from 'hono'
import { z } from 'zod'
import type { Transport } from '../../push/transport.js'
import { StoreUnavailableError } from '../../store/store-unavailable-error.js'
import { jsonAnswerOf } from '../../edge/answer.js'
import { ApiError } from '../../edge/api-error.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'

const count = z.number().int().min(0)

const health = {
  method: 'get',
  path: '/healthz',
  summary: 'The process is up, and how many clients it holds on each transport',
  answers: {
    200: {
      description: 'Up',
      body: z.object({ ok: z.literal(true), held: z.object({ longPoll: count, sse: count, ws: count }) }),
    },
  },
} as const satisfies Operation

const ready = {
  method: 'get',
  path: '/readyz',
  summary: 'The store can serve, and changes reach this process',
  answers: {
    200: { description: 'Ready', body: z.object({ ok: z.literal(true) }) },
    ...refusals([503], { 503: 'store_unavailable: not ready; the message says why' }),
  },
} as const satisfies Operation

export const healthOperations: readonly Operation[] = [health, ready]

/**
 * `GET /healthz`: the process is up, and how many clients it holds on each transport (for operators, tests
 * and the benchmark). `GET /readyz`: and its store can serve, and hears of changes: on Redis a test message
 * must make the whole trip through the change channel, within a second.
 */
export function healthRoutes(check: () => Promise<void>, held: () => Readonly<Record<Transport, number>>): Hono {
  return new Hono()
    .get(routeOf(health), () => jsonAnswerOf({ ok: true, held: held() }))
    .get(routeOf(ready), async () => {
      try {
        await check()
      } catch (error) {
        // An operator reads this: it says what is wrong, where a shopper's 503 only says to try again.
        if (error instanceof StoreUnavailableError) throw new ApiError(503, error.code, `not ready: ${error.message}`)
        throw error
      }
      return jsonAnswerOf({ ok: true })
    })
}
