/** What a client watches: some products of the catalog, or the whole of it. */
export type Watch = { readonly kind: 'products'; readonly skus: readonly string[] } | { readonly kind: 'all' }

/**
 * Where a client stands: the version of the catalog it saw last, in the epoch that version belongs to.
 * Without an epoch, the version is taken to be of the current one, as older clients expect.
 */
export interface Cursor {
  readonly version: number
  readonly epoch?: string | undefined
}

/** The SKUs a watch names, or undefined for the whole catalog. */
export const skusOf = (watch: Watch): readonly string[] | undefined =>
  watch.kind === 'products' ? watch.skus : undefined

/** A string that tells watches apart, so that clients watching the same thing share their updates. */
export const keyOf = (watch: Watch): string => (watch.kind === 'all' ? '*' : [...watch.skus].sort().join(','))
