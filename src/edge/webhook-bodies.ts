import { z } from 'zod'
import { MOVEMENT_KINDS } from '../domain/movement.js'
import { availableOf } from '../domain/product.js'
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from '../domain/webhook-event.js'
import { orderBody, orderBodySchema } from './sale-bodies.js'
import { instant, isoOf } from './stock-bodies.js'

/**
 * What a webhook carries, as Standard Webhooks lays it out (`type`, `timestamp`, `data`): a zod schema, which
 * `/openapi.json` describes under `webhooks`, and the function that builds it, typed by the schema.
 */

const count = z.number().int()

export const webhookBodySchema = z.object({
  type: z.enum(WEBHOOK_EVENT_TYPES),
  timestamp: instant.meta({ description: 'When the change was made' }),
  data: z.union([
    z.object({ order: orderBodySchema }),
    z.object({
      sku: z.string(),
      onHand: count,
      held: count,
      available: count,
      change: z
        .object({ kind: z.enum(MOVEMENT_KINDS), quantity: count, reason: z.string().nullable() })
        .optional()
        .meta({ description: 'stock.adjusted: what the admin did' }),
    }),
  ]),
})

export const webhookBody = ({ type, movement, order }: WebhookEvent): z.infer<typeof webhookBodySchema> => {
  const { sku, onHand, held, kind, quantity, reason } = movement
  return {
    type,
    timestamp: isoOf(movement.time),
    data: order
      ? { order: orderBody(order) }
      : {
          sku,
          onHand,
          held,
          available: availableOf(movement),
          ...(type === 'stock.adjusted' && { change: { kind, quantity, reason } }),
        },
  }
}

/** The event as the admin API shows it, pending or failed: its id, and what it carries. */
export const webhookEventBodySchema = webhookBodySchema.extend({ id: z.string() })

export const webhookEventBody = (event: WebhookEvent): z.infer<typeof webhookEventBodySchema> => ({
  id: event.id,
  ...webhookBody(event),
})
