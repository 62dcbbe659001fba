import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import type { Store } from '../../store/store.js'
import { ApiError } from '../api-error.js'
import type { AppEnv } from '../app-env.js'
import { rateLimited } from './rate-limit.js'

/** Failed attempts one client address may make in `FAILURE_WINDOW_SECONDS` before it is refused outright. */
export const MAX_ADMIN_FAILURES = 10
const FAILURE_WINDOW_SECONDS = 60

const REALM = 'stockpoll admin'

/**
 * Lets through only requests that carry `Authorization: Bearer <token>`; Hono's bearerAuth compares it in
 * constant time. Without it, or with another token, the answer is 401 with `WWW-Authenticate`, as JSON like
 * every refusal. Each failure counts against the client's address (shared by every process on a shared
 * store); past `MAX_ADMIN_FAILURES` in a window, it is refused with 429 before its token is even compared.
 */
export function adminAuth(token: string, store: Store): MiddlewareHandler<AppEnv> {
  const failures = store.rateLimiter('admin-failures', MAX_ADMIN_FAILURES, FAILURE_WINDOW_SECONDS)
  const refusal = (message: string) => ({ error: 'unauthorized', message })
  const bearer = bearerAuth<AppEnv>({
    token,
    realm: REALM,
    noAuthenticationHeader: { message: refusal('send Authorization: Bearer <ADMIN_TOKEN>') },
    invalidAuthenticationHeader: {
      message: refusal('Authorization must be Bearer <ADMIN_TOKEN>'),
      wwwAuthenticateHeader: `Bearer realm="${REALM}", error="invalid_request"`,
    },
    invalidToken: {
      message: refusal('that is not the admin token'),
      wwwAuthenticateHeader: `Bearer realm="${REALM}", error="invalid_token"`,
    },
  })
  return async function adminAuth(c, next) {
    const client = c.get('client')
    const counted = await failures.get(client)
    if (counted && counted.consumedPoints >= MAX_ADMIN_FAILURES) {
      throw rateLimited('too many failed attempts from this address', counted.msBeforeNext)
    }
    let admitted = false
    try {
      await bearer(c, async () => {
        admitted = true
        await next()
      })
    } catch (error) {
      if (admitted || !(error instanceof HTTPException)) throw error
      await failures.penalty(client)
      throw await refusalOf(error)
    }
  }
}

/** bearerAuth's refusal as the app's own: its status, message and challenge, as JSON that is never cached. */
async function refusalOf(error: HTTPException): Promise<ApiError> {
  const answer = error.getResponse()
  const { message } = (await answer.json()) as { message: string }
  const code = error.status === 400 ? 'invalid_request' : 'unauthorized'
  return new ApiError(error.status, code, message, {
    'WWW-Authenticate': answer.headers.get('WWW-Authenticate') ?? `Bearer realm="${REALM}"`,
  })
}
