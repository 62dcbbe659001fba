import type { ProductStock } from '../domain/product.js'
import type { Subscription } from './subscription.js'
import { noneHeld, type Transport } from './transport.js'
import { skusOf } from './watch.js'

/**
 * Every subscription the hub holds, long polls and streams alike, found by the products they watch (the whole
 * catalog's apart): a change looks at those watching the products it touched, and no one else.
 */
export class SubscriberIndex {
  readonly #bySku = new Map<string, Set<Subscription>>()
  readonly #whole = new Set<Subscription>()
  readonly #held = noneHeld()
  #size = 0

  /** How many it holds. */
  get size(): number {
    return this.#size
  }

  /** How many it holds on each transport. */
  byTransport(): Readonly<Record<Transport, number>> {
    return { ...this.#held }
  }

  add(subscription: Subscription): void {
    this.#size++
    this.#held[subscription.transport]++
    const skus = skusOf(subscription.watched)
    if (skus) this.addSkus(subscription, skus)
    else this.#whole.add(subscription)
  }

  /** Forgets a subscription; says whether it held it. */
  remove(subscription: Subscription): boolean {
    const skus = skusOf(subscription.watched)
    if (skus) this.removeSkus(subscription, skus)
    else if (!this.#whole.delete(subscription)) return false
    this.#size--
    this.#held[subscription.transport]--
    return true
  }

  addSkus(subscription: Subscription, skus: readonly string[]): void {
    for (const sku of skus) {
      let watchers = this.#bySku.get(sku)
      if (!watchers) this.#bySku.set(sku, (watchers = new Set()))
      watchers.add(subscription)
    }
  }

  removeSkus(subscription: Subscription, skus: readonly string[]): void {
    for (const sku of skus) {
      const watchers = this.#bySku.get(sku)
      if (watchers?.delete(subscription) && watchers.size === 0) this.#bySku.delete(sku)
    }
  }

  /** Visits each subscription whose cursor `product`'s version is past, and each of the whole catalog's behind `version`. */
  forEachBehind(changed: readonly ProductStock[], version: number, visit: (subscription: Subscription) => void): void {
    for (const product of changed) {
      for (const subscription of this.#bySku.get(product.sku) ?? []) {
        if (subscription.cursor.version < product.version) visit(subscription)
      }
    }
    for (const subscription of this.#whole) if (subscription.cursor.version < version) visit(subscription)
  }

  /** Every subscription, once each. */
  *all(): Iterable<Subscription> {
    const seen = new Set<Subscription>(this.#whole)
    yield* this.#whole
    for (const watchers of this.#bySku.values()) {
      for (const subscription of watchers) {
        if (seen.has(subscription)) continue
        seen.add(subscription)
        yield subscription
      }
    }
  }
}
