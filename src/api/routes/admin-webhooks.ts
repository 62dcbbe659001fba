import { Hono } from 'hono'
import { z } from 'zod'
import { jsonAnswerOf } from '../../edge/answer.js'
import { ApiError } from '../../edge/api-error.js'
import { parseInput, singleText } from '../../edge/input.js'
import { DEFAULT_PAGE, pageLimit } from '../../edge/pages.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { instant, isoOf } from '../../edge/stock-bodies.js'
import { webhookBodySchema, webhookEventBody, webhookEventBodySchema } from '../../edge/webhook-bodies.js'
import type { FailedWebhook } from '../../domain/webhook-event.js'
import type { WebhookSender } from '../../shop/webhook-sender.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import { queryFields } from '../input.js'

const pageQuery = z.object({ limit: pageLimit('pending and failed events ') })

/** An event's id, as the sender makes it: the store's epoch, the movement's seq, its place among its events. */
const webhookPath = z.object({
  id: singleText('id').regex(/^[A-Za-z0-9_-]{1,64}\.\d{1,16}\.\d{1,2}$/, {
    error: 'id must be the id of an event, as GET /admin/webhooks gives it',
  }),
})

const failedBodySchema = z.object({
  event: webhookEventBodySchema,
  attempts: z.number().int(),
  lastError: z.string(),
  failedAt: instant.meta({ description: 'When it was given up on, or last tried by hand' }),
})

const failedBody = ({ event, attempts, lastError, failedAt }: FailedWebhook): z.infer<typeof failedBodySchema> => ({
  event: webhookEventBody(event),
  attempts,
  lastError,
  failedAt: isoOf(failedAt),
})

const nullableInstant = instant.nullable()

const statusAnswer = z.object({
  pending: z.object({
    events: z.array(webhookEventBodySchema).meta({ description: 'The next events to send, in order' }),
    more: z.boolean().meta({ description: 'More wait than these' }),
    attempts: z.number().int().meta({ description: 'Failed attempts at the first of them' }),
    failingSince: nullableInstant,
    nextAttemptAt: nullableInstant,
    lastError: z.string().nullable(),
  }),
  failed: z.array(failedBodySchema).meta({ description: 'Events given up on after a day of attempts, oldest first' }),
})

const WEBHOOKS_OFF = 'webhooks_off: no WEBHOOK_URL is set'

const status = {
  method: 'get',
  path: '/admin/webhooks',
  summary: 'The webhook events waiting to be sent, and those given up on',
  admin: true,
  query: pageQuery,
  answers: {
    200: { description: 'Pending and failed events', body: statusAnswer },
    ...refusals([400, 401, 404, 429, 503], { 404: WEBHOOKS_OFF }),
  },
} as const satisfies Operation

const retry = {
  method: 'post',
  path: '/admin/webhooks/failed/{id}/retry',
  summary: 'Sends an event given up on again, now: it is forgotten once the receiver takes it',
  admin: true,
  params: webhookPath,
  answers: {
    200: { description: 'The receiver took it', body: z.object({ sent: z.literal(true) }) },
    ...refusals([400, 401, 404, 429, 502, 503], {
      404: `webhook_not_found: no failed event has that id; or ${WEBHOOKS_OFF}`,
      502: 'webhook_not_taken: the receiver did not take it; `failed` is the event, kept with this attempt',
    }),
  },
} as const satisfies Operation

export const adminWebhookOperations: readonly Operation[] = [status, retry]

/** What stockpoll posts to `WEBHOOK_URL`, for `/openapi.json`'s `webhooks`: the same schema it encodes with. */
export const webhookEvent = {
  method: 'post',
  path: 'WEBHOOK_URL',
  summary: 'An event: stock crossed a level, the admin changed it, or an order was made or cancelled',
  description: 'Signed as Standard Webhooks has it; delivered at least once, in order per product (docs/webhooks.md).',
  headers: z.object({
    'webhook-id': z.string().meta({ description: 'The same on every attempt: a receiver drops repeats by it' }),
    'webhook-timestamp': z
      .string()
      .meta({ description: 'When this attempt was made, in seconds since the Unix epoch' }),
    'webhook-signature': z
      .string()
      .meta({ description: 'v1, and the base64 HMAC-SHA256 of id.timestamp.body, keyed with WEBHOOK_SECRET' }),
  }),
  body: { json: webhookBodySchema },
  answers: { 200: { description: 'Any 2xx: taken. Any other answer, or none within 10 s, is tried again' } },
} as const satisfies Operation

/** The webhook events, pending and failed, and a retry by hand. */
export function adminWebhookRoutes(sender: WebhookSender | undefined): Hono<AppEnv> {
  const senderOrOff = () => {
    if (sender) return sender
    throw new ApiError(404, 'webhooks_off', 'no webhooks are sent: set WEBHOOK_URL and WEBHOOK_SECRET')
  }
  return new Hono<AppEnv>()
    .get(routeOf(status), async (c) => {
      const { limit = DEFAULT_PAGE } = parseInput(pageQuery, queryFields(c))
      const webhooks = senderOrOff()
      const [{ progress, events, more }, failed] = await Promise.all([webhooks.pending(limit), webhooks.failed(limit)])
      const { attempts, failingSince, nextAttemptAt, lastError } = progress
      const instantOf = (ms: number | null) => (ms === null ? null : isoOf(ms))
      return jsonAnswerOf({
        pending: {
          events: events.map(webhookEventBody),
          more,
          attempts,
          failingSince: instantOf(failingSince),
          nextAttemptAt: instantOf(nextAttemptAt),
          lastError,
        },
        failed: failed.map(failedBody),
      } satisfies z.infer<typeof statusAnswer>)
    })
    .all(routeOf(status), methodNotAllowed('GET'))
    .post(routeOf(retry), async (c) => {
      const { id } = parseInput(webhookPath, c.req.param())
      const outcome = await senderOrOff().retry(id)
      if (!outcome) throw new ApiError(404, 'webhook_not_found', `no failed webhook event has the id ${id}`)
      if (outcome.sent) return jsonAnswerOf({ sent: true })
      return jsonAnswerOf(
        {
          error: 'webhook_not_taken',
          message: `the receiver did not take it: ${outcome.failed.lastError}`,
          failed: failedBody(outcome.failed),
        },
        502,
      )
    })
    .all(routeOf(retry), methodNotAllowed('POST'))
}
