import { z } from 'zod'
import { MOVEMENT_KINDS, type Divergence, type Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { LineOf } from '../domain/stock-state.js'
import { instant, isoOf, secondsUntil } from './stock-bodies.js'

/**
 * The bodies of orders, holds and the ledger: each a zod schema, which `GET /openapi.json` describes, and
 * the function that builds it, typed by the schema.
 */

const count = z.number().int().min(0)

export const orderBodySchema = z.object({
  id: z.string(),
  session: z.string(),
  status: z.enum(['placed', 'cancelled']).meta({ description: 'cancelled: an admin cancelled it, its units back' }),
  createdAt: instant,
  lines: z.array(z.object({ sku: z.string(), name: z.string(), quantity: count })),
})

export const orderBody = ({ id, session, status, createdAt, lines }: Order): z.infer<typeof orderBodySchema> => ({
  id,
  session,
  status,
  createdAt: isoOf(createdAt),
  lines: lines.map(({ sku, name, quantity }) => ({ sku, name, quantity })),
})

export const holdBodySchema = z.object({
  session: z.string(),
  quantity: count,
  lapsed: z.boolean(),
  holdExpiresInSeconds: count.nullable().meta({ description: 'null: it never lapses, or it lapsed' }),
  address: z
    .string()
    .nullable()
    .meta({ description: 'The client address it was made from, when addresses are counted' }),
})

export const holdBody = (
  { session, quantity, lapsed, until, address }: LineOf,
  now: number,
): z.infer<typeof holdBodySchema> => ({
  session,
  quantity,
  lapsed,
  holdExpiresInSeconds: lapsed ? null : secondsUntil(until, now),
  address: address ?? null,
})

export const movementBodySchema = z.object({
  seq: z.number().int().min(1).meta({ description: 'Its place in the ledger: 1, 2, 3… without gaps' }),
  time: instant,
  sku: z.string(),
  kind: z.enum(MOVEMENT_KINDS),
  quantity: z
    .number()
    .int()
    .meta({
      description:
        'Signed: what it moved held by (hold, release, expire), onHand by (restock, adjust, cancel), or both (sale, ' +
        'and take: units of a hold a sale made elsewhere took)',
    }),
  actor: z.string().meta({ description: 'The session that moved it, or admin; for a take, the session it took from' }),
  orderId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  reason: z.string().nullable(),
  onHand: count.meta({ description: "The product's onHand after it" }),
  held: count.meta({ description: "The product's held after it" }),
})

export const movementBody = (movement: Movement): z.infer<typeof movementBodySchema> => ({
  seq: movement.seq,
  time: isoOf(movement.time),
  sku: movement.sku,
  kind: movement.kind,
  quantity: movement.quantity,
  actor: movement.actor,
  orderId: movement.orderId,
  idempotencyKey: movement.idempotencyKey,
  reason: movement.reason,
  onHand: movement.onHand,
  held: movement.held,
})

const counters = z.object({ onHand: z.number().int(), held: z.number().int() })

export const verifyBodySchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    divergence: z.object({
      sku: z.string(),
      seq: z
        .number()
        .int()
        .optional()
        .meta({ description: 'The movement that disagrees; absent when the counters do' }),
      replayed: counters,
      recorded: counters,
    }),
  }),
])

export const verifyBody = (divergence: Divergence | undefined): z.infer<typeof verifyBodySchema> =>
  divergence ? { ok: false, divergence } : { ok: true }
