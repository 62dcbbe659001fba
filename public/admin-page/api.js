// @ts-check
// The admin API, as this tab's admin: the token is asked once and kept for the tab (sessionStorage), never
// for the browser, and sent with every request as `Authorization: Bearer`.
import { baseOf, request, sendChange } from '../client/http.js'

const TOKEN_KEY = 'stockpoll-admin-token'

/** The token this tab signed in with, if it has. */
export const savedToken = () => sessionStorage.getItem(TOKEN_KEY) ?? undefined

/** @param {string | undefined} token */
export function saveToken(token) {
  if (token === undefined) sessionStorage.removeItem(TOKEN_KEY)
  else sessionStorage.setItem(TOKEN_KEY, token)
}

/**
 * @typedef {object} AdminApi
 * @property {(path: string) => Promise<any>} get
 * @property {(path: string, body?: Record<string, unknown>) => Promise<any>} change a POST, sent again under
 *   one Idempotency-Key until it has a definitive answer
 * @property {(path: string) => Promise<any>} remove
 */

/**
 * The admin API of the stockpoll that serves this page, with `token`.
 * @param {string} token
 * @returns {AdminApi}
 */
export function adminApi(token) {
  const base = baseOf(location.origin)
  const headers = { Authorization: `Bearer ${token}` }
  return {
    get: (path) => request(base, path, { headers }),
    change: (path, body = {}) => sendChange(base, path, body, { headers }),
    remove: (path) => request(base, path, { method: 'DELETE', headers }),
  }
}

/**
 * What went wrong, in words: the shop's own message for a refusal.
 * @param {unknown} error
 */
export const messageOf = (error) => (error instanceof Error ? error.message : String(error))
