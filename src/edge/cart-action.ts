import { z } from 'zod'
import type { Clock } from '../clock.js'
import { CART_ACTIONS, type CartRequest, type Refusal } from '../domain/cart-rules.js'
import type { Metrics } from '../metrics.js'
import type { ShopperService } from '../shop/shopper-service.js'
import type { CartResult } from '../store/store.js'
import { replayHeaders } from './answer.js'
import { ApiError } from './api-error.js'
import { errorCodeOf } from './refusals.js'
import {
  bodySchemas,
  parseInput,
  sessionField,
  skuField,
  wholeNumber,
  type BodyFields,
  type FieldSource,
} from './input.js'
import { classicStockBody, secondsUntil, shopperStockBody, type StockBodies } from './stock-bodies.js'

const quoted = (actions: readonly string[]) => actions.map((action) => `'${action}'`)

/** The classic actions, on the default product: the classic command knows no other. */
const CLASSIC_ACTIONS = ['add', 'remove'] as const

/** The classic command, which names no product and no quantity: `add` or `remove` the default product. */
const classicCommand = z.object(
  {
    session: sessionField,
    action: z.enum(CLASSIC_ACTIONS, {
      error: (issue) =>
        issue.input === undefined ? 'action is required' : `action must be ${quoted(CLASSIC_ACTIONS).join(' or ')}`,
    }),
  },
  { error: 'the body must be an object with the fields session and action' },
)

const MAX_QUANTITY = 1_000_000

/** A command that names a product, a quantity, or an action but the classic two: any of the actions, on any product. */
const catalogCommand = (source: FieldSource) =>
  z
    .object({
      session: sessionField,
      action: z.enum(CART_ACTIONS, {
        error: (issue) =>
          issue.input === undefined
            ? 'action is required'
            : `action must be ${quoted(CART_ACTIONS.slice(0, -1)).join(', ')} or '${CART_ACTIONS.at(-1)}'`,
      }),
      sku: skuField.optional(),
      quantity: wholeNumber('quantity', 0, MAX_QUANTITY, source).optional(),
    })
    .superRefine(({ action, quantity }, ctx) => {
      if (action === 'set' && quantity === undefined) ctx.addIssue({ code: 'custom', message: 'set needs a quantity' })
      if (action !== 'set' && quantity !== undefined) {
        ctx.addIssue({ code: 'custom', message: "quantity goes only with action 'set'" })
      }
    })

const catalogCommands = bodySchemas(catalogCommand)

/** A cart action as a client sends it: the classic command, or one on a product. */
export const cartCommandFields = bodySchemas((source) => z.union([classicCommand, catalogCommands[source]]))

/**
 * Whether fields are the classic command's: no product, no quantity, and one of its two actions (or none, or
 * fields that are no object at all, which its schema then refuses in its own words).
 */
function isClassic(fields: unknown): boolean {
  if (typeof fields !== 'object' || fields === null) return true
  if ('sku' in fields || 'quantity' in fields) return false
  const { action } = fields as { action?: unknown }
  return action === undefined || CLASSIC_ACTIONS.some((classic) => classic === action)
}

const holdExpiresInSeconds = z.number().int().min(0).nullable()

/** The classic answer: the default product's stock, whether the session holds it, and for how long. */
export const classicCartBody = classicStockBody.extend({ inCart: z.boolean(), holdExpiresInSeconds })

/** The answer to a command on a product: its line, the product's stock, and the catalog's version. */
export const catalogCartBody = z.object({
  epoch: z.string(),
  version: z.number().int(),
  line: z.object({ sku: z.string(), quantity: z.number().int(), holdExpiresInSeconds }),
  product: shopperStockBody,
})

/** What a cart action is answered with. */
export type CartBody = z.infer<typeof classicCartBody> | z.infer<typeof catalogCartBody>

/**
 * The classic answer, to a command that named no product: the default product's stock, whether the session
 * holds a unit of it, and in how many seconds its hold lapses.
 */
const classicBody = (
  bodies: StockBodies,
  result: CartResult & { ok: true },
  now: number,
): z.infer<typeof classicCartBody> => ({
  ...bodies.classic(result.line.product, result.epoch),
  inCart: result.line.quantity > 0,
  holdExpiresInSeconds: secondsUntil(result.line.holdUntil, now),
})

const catalogBody = (
  bodies: StockBodies,
  { epoch, version, line }: CartResult & { ok: true },
  now: number,
): z.infer<typeof catalogCartBody> => ({
  epoch,
  version,
  line: { sku: line.sku, quantity: line.quantity, holdExpiresInSeconds: secondsUntil(line.holdUntil, now) },
  product: bodies.product(line.product),
})

/** A cart action's answer, and whether it is the first answer to its idempotency key, given again. */
export interface CartAnswer {
  readonly body: CartBody
  readonly replayed: boolean
}

/**
 * Checks, limits and applies one cart action for `client` (its address), at most once for an
 * `idempotencyKey`.
 */
export type ApplyCartCommand = (body: BodyFields, client: string, idempotencyKey?: string) => Promise<CartAnswer>

export interface CartActionOptions {
  readonly shopper: ShopperService
  readonly bodies: StockBodies
  readonly clock: Clock
  readonly metrics: Metrics
}

/**
 * One cart action, from `POST /cart` or a WebSocket frame alike: a client or session past its rate is a 429
 * `ApiError` with `Retry-After`, a bad command a 400 that names each bad field, an unknown product a 404, a
 * line past a cap or past what is available a 409, an idempotency key used before for another action a 422,
 * and none of these changes anything. A command that names neither a product nor a quantity is the classic
 * one, and is answered as the classic API always was.
 */
export function cartActions({ shopper, bodies, clock, metrics }: CartActionOptions): ApplyCartCommand {
  const apply: ApplyCartCommand = async ({ source, fields }, client, idempotencyKey) => {
    await shopper.admitClient(client)
    const classic = isClassic(fields)
    const command = classic ? parseInput(classicCommand, fields) : parseInput(catalogCommands[source], fields)
    const request: CartRequest =
      command.action === 'set' ? { action: 'set', quantity: command.quantity ?? 0 } : { action: command.action }
    const sku = ('sku' in command ? command.sku : undefined) ?? shopper.defaultSku
    const result = await shopper.act({ session: command.session, sku, request }, client, idempotencyKey)
    const replayed = result.replayed === true
    if (!result.ok) throw refusalOf(result.refusal, { sku, classic, replayed, bodies })
    const now = clock.now()
    return { body: classic ? classicBody(bodies, result, now) : catalogBody(bodies, result, now), replayed }
  }
  return async (body, client, idempotencyKey) => {
    try {
      const answer = await apply(body, client, idempotencyKey)
      metrics.cartAction('ok')
      return answer
    } catch (error) {
      metrics.cartAction(errorCodeOf(error))
      throw error
    }
  }
}

/** What a refusal is told in: of which product, to which API, whether replayed, and what shoppers may see. */
interface RefusalContext {
  readonly sku: string
  readonly classic: boolean
  readonly replayed: boolean
  readonly bodies: StockBodies
}

/** A refused line as a 409; the classic API's refusal says nothing more than it always did. */
function refusalOf(refusal: Refusal, { sku, classic, replayed, bodies }: RefusalContext): ApiError {
  const headers = replayHeaders(replayed)
  if (refusal.error === 'sold_out') {
    // How many are left is told only where shoppers may see it.
    const left = bodies.left(refusal.available)
    const message =
      refusal.available === 0
        ? 'every unit is in a cart; try again when one is removed'
        : left === undefined
          ? `not that many of ${sku} are left`
          : `only ${left} of ${sku} ${left === 1 ? 'is' : 'are'} left`
    return new ApiError(409, 'sold_out', message, headers, classic || left === undefined ? {} : { available: left })
  }
  if (refusal.error === 'archived') {
    return new ApiError(409, 'archived', `${sku} is no longer sold: the shop archived it`, headers)
  }
  const message =
    refusal.error === 'limit_reached'
      ? `a session may hold at most ${refusal.limit} of ${sku}`
      : `the sessions of this address may hold at most ${refusal.limit} of ${sku} together`
  return new ApiError(409, refusal.error, message, headers, { limit: refusal.limit })
}
