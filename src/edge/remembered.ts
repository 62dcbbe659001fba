/**
 * What `compute` gave for the keys asked lately, so that a key asked again is not computed again: for the
 * request parts every poll repeats. At most `limit` are kept, and all are forgotten at once when that is
 * reached, which keeps it bounded whatever clients send. A key whose `compute` throws is not kept.
 */
export class Remembered<K, V> {
  readonly #results = new Map<K, V>()

  constructor(
    readonly limit: number,
    readonly compute: (key: K) => V,
  ) {}

  of(key: K): V {
    let result = this.#results.get(key)
    if (result === undefined) {
      result = this.compute(key)
      if (this.#results.size >= this.limit) this.#results.clear()
      this.#results.set(key, result)
    }
    return result
  }
}
