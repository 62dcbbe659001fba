import { z } from 'zod'
import { MOVEMENT_KINDS, type Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductStock } from '../domain/product.js'
import type {
  AdjustResult,
  ArchiveResult,
  CancelResult,
  CheckoutResult,
  PutResult,
  ReleaseResult,
  SaleResult,
} from './store.js'

/**
 * What the scripts of `redis-scripts.ts` answer, read with zod: anyone with access to Redis can write its
 * keys, so a reply is checked like any input. Each schema is held to the type it stands for by `satisfies`.
 */

export const count = z.coerce.number().int()

/**
 * A list as Lua's cjson writes it: an empty Lua table is written as an object, since Lua has one kind of
 * table for both.
 */
const listOf = <T extends z.ZodType>(item: T) =>
  z.union([
    z.array(item),
    z
      .object({})
      .strict()
      .transform((): z.infer<T>[] => []),
  ])

export const productReply = z.object({
  sku: z.string(),
  name: z.string(),
  onHand: count,
  held: count,
  version: count,
  nextLapse: count.exactOptional(),
  archived: z.literal(true).exactOptional(),
  holdsTakenAt: count.exactOptional(),
}) satisfies z.ZodType<ProductStock>

export const orderReply = z.object({
  id: z.string(),
  session: z.string(),
  lines: z.array(z.object({ sku: z.string(), name: z.string(), quantity: count })),
  createdAt: count,
  status: z.enum(['placed', 'cancelled']),
}) satisfies z.ZodType<Order>

export const movementReply = z.object({
  seq: count,
  time: count,
  sku: z.string(),
  kind: z.enum(MOVEMENT_KINDS),
  quantity: count,
  actor: z.string(),
  orderId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  reason: z.string().nullable(),
  onHand: count,
  held: count,
}) satisfies z.ZodType<Movement>

export const ordersReply = listOf(orderReply)

/** The catalog, or some of its products, and the ledger's last seq, all at one instant. */
export const catalogReply = z.object({
  epoch: z.string(),
  version: count,
  seq: count,
  products: listOf(productReply),
})

/** A line as the cart and holds scripts give it: `ends` is null for a hold that never lapses. */
const storedLine = { quantity: count, ends: count.nullable(), lapsed: z.boolean() }

export const cartReply = z.object({
  epoch: z.string(),
  version: count,
  lines: listOf(z.object({ sku: z.string(), ...storedLine, product: productReply })),
})

export const holdsReply = listOf(z.object({ session: z.string(), ...storedLine, address: z.string().nullable() }))

export const applyReply = z.union([
  z.object({
    epoch: z.string(),
    version: count,
    ok: z.literal(true),
    line: z.object({
      sku: z.string(),
      quantity: count,
      holdUntil: count.nullable(),
      lapsed: z.boolean(),
      product: productReply,
    }),
  }),
  z.object({
    epoch: z.string(),
    version: count,
    ok: z.literal(false),
    refusal: z.union([
      z.object({ error: z.literal('sold_out'), available: count }),
      z.object({ error: z.enum(['limit_reached', 'address_limit']), limit: count }),
      z.object({ error: z.literal('archived') }),
    ]),
    product: productReply,
  }),
])

export const checkoutReply = z.union([
  z.object({ ok: z.literal(true), order: orderReply }),
  z.object({ ok: z.literal(false), error: z.literal('cart_empty') }),
  z.object({
    ok: z.literal(false),
    error: z.literal('insufficient_stock'),
    lines: z.array(z.object({ sku: z.string(), quantity: count, available: count })),
  }),
]) satisfies z.ZodType<CheckoutResult>

const belowHeld = z.object({ ok: z.literal(false), error: z.literal('below_held'), held: count })
const aboveLimit = z.object({
  ok: z.literal(false),
  error: z.literal('on_hand_limit'),
  sku: z.string(),
  onHand: count,
  limit: count,
})

const conflict = z.object({ ok: z.literal(false), error: z.literal('conflict'), current: count })

export const putReply = z.union([
  z.object({ ok: z.literal(true), product: productReply, created: z.boolean() }),
  conflict,
  belowHeld,
  aboveLimit,
]) satisfies z.ZodType<PutResult>

export const adjustReply = z.union([
  z.object({ ok: z.literal(true), product: productReply }),
  conflict,
  belowHeld,
  aboveLimit,
]) satisfies z.ZodType<AdjustResult>

export const saleReply = z.union([
  z.object({ ok: z.literal(true), product: productReply }),
  conflict,
  z.object({ ok: z.literal(false), error: z.literal('insufficient_stock'), available: count }),
]) satisfies z.ZodType<SaleResult>

export const archiveReply = z.object({ ok: z.literal(true), product: productReply }) satisfies z.ZodType<ArchiveResult>

export const releaseReply = z.union([
  z.object({ ok: z.literal(true), released: count, product: productReply }),
  z.object({ ok: z.literal(false), error: z.literal('no_hold') }),
]) satisfies z.ZodType<ReleaseResult>

export const cancelReply = z.union([
  z.object({ ok: z.literal(true), order: orderReply }),
  z.object({ ok: z.literal(false), error: z.enum(['order_not_found', 'already_cancelled']) }),
  aboveLimit,
]) satisfies z.ZodType<CancelResult>

/** What the scripts answer around a reply: a reply (first given, or given again), or why there is none. */
export const scriptReply = z.union([
  z.tuple([z.enum(['ok', 'replayed']), z.union([z.string(), count])]),
  z.tuple([z.literal('unknown'), z.string()]),
  z.tuple([z.literal('lost')]),
  z.tuple([z.literal('reused')]),
])

/** The change channel's messages: a change, a catalog seeded anew, or a test message of `check()`. */
export const channelMessage = z.union([
  z.object({ epoch: z.string(), version: count, products: z.array(productReply) }),
  z.object({ epoch: z.string(), version: count, reset: z.literal(true) }),
  z.object({ canary: z.string() }),
])
