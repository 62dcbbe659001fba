// @ts-check
// The shop's JSON API, from any origin and from Node: one request, or a change sent until it has a
// definitive answer, and how long to wait after a failure.

const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 30_000

/** A refusal or failure of the shop's API: its status, its error code, and any `Retry-After`, in ms. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ error?: string, message?: string } | undefined} body
   * @param {number} retryAfterMs
   */
  constructor(status, body, retryAfterMs) {
    super(body?.message ?? `the shop answered ${status}`)
    this.status = status
    this.code = body?.error
    this.retryAfterMs = retryAfterMs
  }
}

/**
 * Where the API of the stockpoll at `server` is: a base that ends in `/`, so that a stockpoll served under a
 * path (`https://shop.example/stock/`) is reached under it.
 * @param {string | URL} server
 */
export const baseOf = (server) => new URL(String(server).replace(/\/?$/, '/'))

/**
 * The JSON answer of one request to the API at `base`; a refusal throws an `ApiError`.
 * @param {URL} base
 * @param {string} path relative to the base, without a leading `/`
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
export async function request(base, path, init) {
  const response = await fetch(new URL(path, base), { cache: 'no-store', ...init })
  const body = await response.json().catch(() => undefined)
  if (response.ok) return body
  const retryAfter = Number(response.headers.get('Retry-After'))
  throw new ApiError(response.status, body, Number.isFinite(retryAfter) ? retryAfter * 1000 : 0)
}

/** A fresh Idempotency-Key: 128 random bits, from an API every browser has on plain http too. */
export function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * Whether a failure leaves it unknown whether a change was made: the connection was lost, or the shop (or a
 * proxy in front of it) could not reach the stock in time.
 * @param {unknown} error
 */
const isUndecided = (error) => !(error instanceof ApiError) || [502, 503, 504].includes(error.status)

/**
 * POSTs a change as JSON until it has a definitive answer. It goes under one Idempotency-Key, kept for every
 * try: after a lost connection or a 503 it is sent again with the same key (after the `Retry-After` the shop
 * gave, or longer each time), and the shop answers a change it already made with its first answer rather than
 * make it twice. Resolves with the answer; throws the refusal, which is definitive too.
 * @param {URL} base
 * @param {string} path
 * @param {Record<string, unknown>} body
 * @param {{ key?: string, onRetry?: (error: unknown) => void, headers?: Record<string, string> }} [options]
 *   `onRetry` hears each undecided try; `headers` go with every try (the admin's `Authorization`)
 * @returns {Promise<any>}
 */
export async function sendChange(base, path, body, { key = newKey(), onRetry = () => {}, headers = {} } = {}) {
  const init = {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  }
  for (let failures = 1; ; failures++) {
    try {
      return await request(base, path, init)
    } catch (error) {
      if (!isUndecided(error)) throw error
      onRetry(error)
      await sleep(retryDelay(failures, error))
    }
  }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Exponential, capped, and jittered, so that windows cut off together do not all come back together.
 * @param {number} failures
 * @param {unknown} error
 */
export function retryDelay(failures, error) {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1))
  const jittered = ceiling / 2 + (Math.random() * ceiling) / 2
  return Math.max(jittered, error instanceof ApiError ? error.retryAfterMs : 0)
}
