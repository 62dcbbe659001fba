/**
 * What a page on one of the shop's `ALLOWED_ORIGINS` may send and read (CORS): the headers its requests may
 * carry, the ones of an answer its script may read, and how long a browser may keep a preflight's answer.
 */
export const CROSS_ORIGIN = {
  allowMethods: ['GET', 'HEAD', 'POST'],
  allowHeaders: ['Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'],
  exposeHeaders: ['Retry-After', 'Idempotent-Replayed', 'X-Request-Id'],
  maxAgeSeconds: 600,
} as const

const VARY_ORIGIN: Readonly<Record<string, string>> = Object.freeze({ Vary: 'Origin' })
const EXPOSED = CROSS_ORIGIN.exposeHeaders.join(', ')

/** The admin API answers no other site's page, whatever the shop allows its shoppers' pages. */
const ADMIN_PATH = /^\/admin(\/|$)/

/**
 * Lets the pages of the shop's `ALLOWED_ORIGINS` read the public answers: each names the origin it lets read
 * it, with `Vary: Origin`, since the same request from another page is answered without it. The admin API
 * never does. Whether such a page may *change* anything is `SameOrigin`'s to say, from the same list.
 */
export class CrossOrigin {
  readonly #allowed: ReadonlySet<string>

  constructor(allowedOrigins: readonly string[]) {
    this.#allowed = new Set(allowedOrigins)
  }

  /** Whether any other origin may read answers: without one, answers carry no CORS header at all. */
  get enabled(): boolean {
    return this.#allowed.size > 0
  }

  /** Whether the shop lets pages on `origin` in. */
  allows(origin: string): boolean {
    return this.#allowed.has(origin)
  }

  /** The origin an answer to `path` lets read it, for a request a page on `origin` sent; none otherwise. */
  allowedOrigin(origin: string | undefined, path: string): string | undefined {
    return origin !== undefined && this.allows(origin) && !ADMIN_PATH.test(path) ? origin : undefined
  }

  /** The CORS headers of an answer (not a preflight's) to `path`, for a request a page on `origin` sent. */
  headersFor(origin: string | undefined, path: string): Readonly<Record<string, string>> | undefined {
    const allowed = this.allowedOrigin(origin, path)
    if (allowed === undefined) return this.enabled ? VARY_ORIGIN : undefined
    return {
      'Access-Control-Allow-Origin': allowed,
      'Access-Control-Expose-Headers': EXPOSED,
      Vary: 'Origin',
    }
  }
}
