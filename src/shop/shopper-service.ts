import type { CatalogSnapshot } from '../domain/catalog.js'
import type { CartRequest } from '../domain/cart-rules.js'
import type { Order } from '../domain/order.js'
import type { CartResult, CartView, CheckoutResult, StockRepository } from '../store/store.js'
import type { CartRates } from './cart-rates.js'

/** A cart action as a shopper asks it: on a product, or (without `sku`) on the default product. */
export interface LineAsked {
  readonly session: string
  readonly sku?: string | undefined
  readonly request: CartRequest
}

export interface ShopperServiceOptions {
  readonly repository: StockRepository
  readonly rates: CartRates
  /** The product a command that names none acts on: the catalog's first. */
  readonly defaultSku: string
  /** Whether units are counted by client address: only then is each action told its address. */
  readonly countsAddresses: boolean
}

/**
 * What a shopper does: read the catalog and a cart, change a line, check out, see an order. Each change
 * counts against the shopper's rates, the client's first (before its request is even read) and then the
 * session's; each is done at most once per idempotency key.
 */
export class ShopperService {
  readonly #repository: StockRepository
  readonly #rates: CartRates
  readonly #countsAddresses: boolean
  readonly defaultSku: string

  constructor({ repository, rates, defaultSku, countsAddresses }: ShopperServiceOptions) {
    this.#repository = repository
    this.#rates = rates
    this.defaultSku = defaultSku
    this.#countsAddresses = countsAddresses
  }

  /** The catalog, or the products `skus` names. */
  catalog(skus?: readonly string[]): Promise<CatalogSnapshot> {
    return this.#repository.catalog(skus)
  }

  cart(session: string): Promise<CartView> {
    return this.#repository.cart(session)
  }

  /** Counts a change against its client address: to call before its request is read. */
  admitClient(client: string): Promise<void> {
    return this.#rates.admitClient(client)
  }

  /** Sets a line of `client`'s session as asked. */
  async act({ session, sku, request }: LineAsked, client: string, idempotencyKey?: string): Promise<CartResult> {
    await this.#rates.admitSession(session)
    const address = this.#countsAddresses ? { address: client } : {}
    return this.#repository.apply({ session, sku: sku ?? this.defaultSku, request, ...address }, idempotencyKey)
  }

  /** Sells the session's whole cart. */
  async checkout(session: string, idempotencyKey?: string): Promise<CheckoutResult> {
    await this.#rates.admitSession(session)
    return this.#repository.checkout(session, idempotencyKey)
  }

  /** An order, to the session that made it; to any other, none. */
  async order(id: string, session: string): Promise<Order | undefined> {
    const order = await this.#repository.order(id)
    return order?.session === session ? order : undefined
  }
}
