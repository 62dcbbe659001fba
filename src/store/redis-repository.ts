import { nanoid } from 'nanoid'
import type { z } from 'zod'
import type { CatalogSnapshot } from '../domain/catalog.js'
import type { CartRules } from '../domain/cart-rules.js'
import type { Divergence, Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { LineOf } from '../domain/stock-state.js'
import { LAPSED_LINES_KEPT_MS, type AdjustmentInput, type ProductInput, type SaleInput } from '../domain/stockroom.js'
import { RedisEvictsKeysError } from './redis-evicts-keys-error.js'
import type { RedisCommands } from './redis-commands.js'
import {
  adjustReply,
  archiveReply,
  applyReply,
  cancelReply,
  cartReply,
  catalogReply,
  checkoutReply,
  count,
  holdsReply,
  movementReply,
  orderReply,
  ordersReply,
  putReply,
  releaseReply,
  saleReply,
} from './redis-replies.js'
import type { ScriptName } from './redis-scripts.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import {
  ADMIN_KEYS,
  commandOf,
  holdEndNow,
  IDEMPOTENCY_KEY_TTL_MS,
  operationOf,
  SHOPPER_KEYS,
  type AdjustResult,
  type ArchiveResult,
  type CancelResult,
  type CartCommand,
  type CartResult,
  type CartView,
  type CheckoutResult,
  type HoldPolicy,
  type MovementQuery,
  type OrderQuery,
  type PutResult,
  type ReleaseResult,
  type SaleResult,
  type StockRepository,
} from './store.js'
import { verifyLedger } from './verify-ledger.js'

/** How many lines one run of the expiry script lapses or forgets at most, so that no run blocks Redis long. */
const EXPIRE_BATCH = 1000

/**
 * The stock in Redis, shared by every process on the same keys: each operation is one script (see
 * `src/store/lua/`), atomic across processes, which writes its movements and publishes its change in the
 * same step.
 */
export class RedisRepository implements StockRepository {
  constructor(
    readonly commands: RedisCommands,
    readonly rules: CartRules,
    readonly holdPolicy: HoldPolicy,
  ) {}

  async catalog(skus?: readonly string[]): Promise<CatalogSnapshot> {
    const { epoch, version, products } = await this.#snapshot(skus ?? [])
    return { epoch, version, products }
  }

  async cart(session: string): Promise<CartView> {
    const { epoch, version, lines } = cartReply.parse(json(await this.#read('stockCart', session)))
    return {
      epoch,
      version,
      lines: lines.map(({ sku, quantity, ends, lapsed, product }) => ({
        sku,
        quantity,
        holdUntil: lapsed ? null : ends,
        lapsed,
        product,
      })),
    }
  }

  async apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult> {
    const { session, sku, request, address } = command
    const { maxPerSession, maxPerAddress } = this.rules
    return this.#change(applyReply, 'stockApply', SHOPPER_KEYS, idempotencyKey, commandOf(command), [
      sku,
      session,
      request.action,
      request.action === 'set' ? request.quantity : 0,
      holdEndNow(this.holdPolicy) ?? '',
      maxPerSession,
      maxPerAddress ?? 0,
      address ?? '',
    ])
  }

  async expireHolds(): Promise<void> {
    const forgetBefore = this.commands.now() - LAPSED_LINES_KEPT_MS
    // Under no idempotency key: a change without a key, a scope, a command or a time to keep it.
    const run = () => this.#read('stockExpire', '', '', '', 0, EXPIRE_BATCH, forgetBefore)
    while (count.parse(await run()) === EXPIRE_BATCH);
  }

  async checkout(session: string, idempotencyKey?: string): Promise<CheckoutResult> {
    const operation = operationOf('checkout', session)
    return this.#change(checkoutReply, 'stockCheckout', SHOPPER_KEYS, idempotencyKey, operation, [session, nanoid()])
  }

  async order(id: string): Promise<Order | undefined> {
    const { connection, prefix } = this.commands
    const order = await this.commands.run(() => connection.get(`${prefix}order:${id}`))
    return order === null ? undefined : orderReply.parse(json(order))
  }

  async orders({ status, from, to, after, limit }: OrderQuery): Promise<Order[]> {
    const reply = await this.#read(
      'stockOrders',
      status ?? '',
      from ?? 0,
      to ?? Number.MAX_SAFE_INTEGER,
      after ?? '',
      limit,
    )
    return ordersReply.parse(json(reply))
  }

  async putProduct(input: ProductInput, idempotencyKey?: string): Promise<PutResult> {
    const { sku, name, onHand, expected } = input
    const args = [sku, name, onHand, expected ?? '']
    return this.#change(putReply, 'stockPut', ADMIN_KEYS, idempotencyKey, operationOf('put', input), args)
  }

  async adjust(input: AdjustmentInput, idempotencyKey?: string): Promise<AdjustResult> {
    const { sku, delta, reason, expected } = input
    const args = [sku, delta, reason, expected ?? '']
    return this.#change(adjustReply, 'stockAdjust', ADMIN_KEYS, idempotencyKey, operationOf('adjust', input), args)
  }

  async sell(input: SaleInput, idempotencyKey?: string): Promise<SaleResult> {
    const { sku, quantity, reason, expected, takeFromHolds } = input
    const args = [sku, quantity, reason, expected ?? '', takeFromHolds ? 1 : 0]
    return this.#change(saleReply, 'stockSell', ADMIN_KEYS, idempotencyKey, operationOf('sell', input), args)
  }

  async archive(sku: string, archived: boolean, idempotencyKey?: string): Promise<ArchiveResult> {
    const operation = operationOf('archive', sku, String(archived))
    const args = [sku, archived ? 1 : 0]
    return this.#change(archiveReply, 'stockArchive', ADMIN_KEYS, idempotencyKey, operation, args)
  }

  async holds(sku: string): Promise<LineOf[]> {
    const lines = holdsReply.parse(json(await this.#read('stockHolds', sku)))
    return lines.map(({ session, quantity, ends, lapsed, address }) => ({
      session,
      sku,
      quantity,
      until: ends,
      lapsed,
      ...(address !== null && { address }),
    }))
  }

  async releaseHold(sku: string, session: string, idempotencyKey?: string): Promise<ReleaseResult> {
    const operation = operationOf('release', sku, session)
    return this.#change(releaseReply, 'stockRelease', ADMIN_KEYS, idempotencyKey, operation, [sku, session])
  }

  async cancelOrder(id: string, idempotencyKey?: string): Promise<CancelResult> {
    return this.#change(cancelReply, 'stockCancel', ADMIN_KEYS, idempotencyKey, operationOf('cancel', id), [id])
  }

  /**
   * The ledger is only ever appended to, its seqs without gaps, so a page needs no script: the seqs after
   * `after` are read straight from the ledger, or from the product's list of its own.
   */
  async movements({ sku, after, limit }: MovementQuery): Promise<Movement[]> {
    const { connection, prefix } = this.commands
    const seqs =
      sku === undefined
        ? Array.from({ length: limit }, (_, i) => String(after + 1 + i))
        : await this.commands.run(() =>
            connection.zrangebyscore(`${prefix}ledger:{${sku}}`, `(${after}`, '+inf', 'LIMIT', 0, limit),
          )
    if (seqs.length === 0) return []
    const entries = await this.commands.run(() => connection.hmget(`${prefix}ledger`, ...seqs))
    return entries.flatMap((entry) => (entry === null ? [] : [movementReply.parse(json(entry))]))
  }

  /** Takes the ledger's last seq and every product's counters in one step (one script), then replays. */
  async verify(): Promise<Divergence | undefined> {
    return verifyLedger(await this.#snapshot([]), (after, limit) => this.movements({ after, limit }))
  }

  /** Ready while Redis keeps every key; one set to evict them since start is not. */
  async check(): Promise<void> {
    await this.commands.assertKeepsKeys().catch((error: unknown) => {
      throw error instanceof RedisEvictsKeysError ? new StoreUnavailableError(error.message) : error
    })
  }

  /** The products `skus` names, or all, with the epoch, the version and the ledger's last seq. */
  async #snapshot(skus: readonly string[]) {
    return catalogReply.parse(json(await this.#read('stockRead', ...skus)))
  }

  /** A script that reads: its reply. */
  async #read(name: ScriptName, ...args: readonly (string | number)[]): Promise<unknown> {
    return (await this.commands.script(name, args)).reply
  }

  /**
   * A script that changes the stock, at most once under an idempotency key among `scope`'s (compared by
   * `command`): its reply read with `schema`, marked replayed when it is the first reply given again.
   */
  async #change<T extends object>(
    schema: z.ZodType<T>,
    name: ScriptName,
    scope: string,
    idempotencyKey: string | undefined,
    command: string,
    args: readonly (string | number)[],
  ): Promise<T & { readonly replayed?: true }> {
    const once = [idempotencyKey ?? '', scope, command, IDEMPOTENCY_KEY_TTL_MS]
    // An order, or a shop's own write, must survive the loss of the master; a hold lost in a failover costs a
    // shopper a click, and waiting for replicas would slow every one.
    const replicated = name !== 'stockApply'
    const { reply, replayed } = await this.commands.script(name, [...once, ...args], { replicated })
    const answer = schema.parse(json(reply))
    return replayed ? { ...answer, replayed: true } : answer
  }
}

/** The value of a JSON text, or undefined when it is not JSON: anyone with access to Redis can write its keys. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A script's JSON reply, or the text of a key written by one. */
const json = (text: unknown): unknown => (typeof text === 'string' ? parseJson(text) : text)
