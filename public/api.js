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
 * @param {string} path
 * @param {Record<string, unknown>} body
 * @param {{ key?: string, onRetry?: (error: unknown) => void }} [options] `onRetry` hears each undecided try
 * @returns {Promise<any>}
 */
export async function sendChange(path, body, { key = newKey(), onRetry = () => {} } = {}) {
  const init = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  }
  for (let failures = 1; ; failures++) {
    try {
      return await api(path, init)
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
 * Sets an element's text only when it differs, so that a redraw that changes nothing mutates nothing.
 * @param {HTMLElement} shown
 * @param {string} text
 */
export function setText(shown, text) {
  if (shown.textContent !== text) shown.textContent = text
}

/**
 * How long a hold has left, as m:ss.
 * @param {number} endsAt
 */
export function timeLeft(endsAt) {
  const seconds = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

/**
 * Enables and disables buttons that act on one thing (+ and −, Add and Remove), keeping keyboard focus among
 * them: a focused button that is disabled hands the focus to one that is not, where it would drop to the page.
 * @param {[HTMLButtonElement, boolean][]} buttons each with whether it is now disabled
 */
export function setDisabled(buttons) {
  const losing = buttons.some(([button, disabled]) => disabled && button === document.activeElement)
  for (const [button, disabled] of buttons) button.disabled = disabled
  if (losing) buttons.find(([, disabled]) => !disabled)?.[0].focus()
}
