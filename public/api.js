// @ts-check
// What every view of the page shares: the JSON API, the shopper's session, and how long to wait after a failure.

const SESSION_KEY = 'stockpoll.session'
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
 * The JSON answer of one request to the shop's API; a refusal throws an `ApiError`.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
export async function api(path, init) {
  const response = await fetch(path, { cache: 'no-store', ...init })
  const body = await response.json().catch(() => undefined)
  if (response.ok) return body
  const retryAfter = Number(response.headers.get('Retry-After'))
  throw new ApiError(response.status, body, Number.isFinite(retryAfter) ? retryAfter * 1000 : 0)
}

/**
 * `POST /cart` with a JSON body.
 * @param {Record<string, unknown>} command
 */
export const postCart = (command) =>
  api('/cart', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(command) })

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

/** This tab's shopper id, kept across reloads in `sessionStorage`, or a fresh one from the shop. */
export async function loadSession() {
  const saved = sessionStorage.getItem(SESSION_KEY)
  if (saved) return saved
  /** @type {{ session: string }} */
  const { session } = await api('/session', { method: 'POST' })
  sessionStorage.setItem(SESSION_KEY, session)
  return session
}

/**
 * The element with this id, which the page's HTML always has.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function element(id) {
  const found = document.getElementById(id)
  if (!found) throw new Error(`the page has no #${id}`)
  return /** @type {T} */ (found)
}

/**
 * How long a hold has left, as m:ss.
 * @param {number} endsAt
 */
export function timeLeft(endsAt) {
  const seconds = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}
