import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import { ApiError } from '../../edge/api-error.js'
import { RateLimitedError } from '../../shop/rate-limited-error.js'
import type { Counters } from '../../store/counters.js'
import type { AppEnv } from '../app-env.js'

/** Failed attempts one client address may make in `FAILURE_WINDOW_SECONDS` before it is refused outright. */
export const MAX_ADMIN_FAILURES = 10
/**
 * Failed attempts all addresses together may make in the window before every attempt is refused: a guesser
 * with many addresses (a botnet, a whole IPv6 prefix) gets no more guesses than this.
 */
export const MAX_ADMIN_FAILURES_IN_ALL = 100
const FAILURE_WINDOW_SECONDS = 60
/** The one key every failure is also counted under. */
const EVERY_ADDRESS = '*'

const REALM = 'stockpoll admin'

/**
 * Lets through only requests that carry `Authorization: Bearer <token>`; Hono's bearerAuth compares it in
 * constant time. Without it, or with another token, the answer is 401 with `WWW-Authenticate`, as JSON like
 * every refusal. Each failure counts against the client's address and against all addresses together (shared
 * by every process on a shared store); past `MAX_ADMIN_FAILURES` from the address, or
 * `MAX_ADMIN_FAILURES_IN_ALL` from all, in a window, a request is refused with 429 before its token is even
 * compared. Under a guessing attack from many addresses that locks the admin out too, for the window: the
 * price of giving the guessers nothing.
 */
export function adminAuth(token: string, counters: Counters): MiddlewareHandler<AppEnv> {
  const window = (points: number) => ({ points, durationSeconds: FAILURE_WINDOW_SECONDS })
  const failures = counters.rate('admin-failures', window(MAX_ADMIN_FAILURES))
  const allFailures = counters.rate('admin-failures-all', window(MAX_ADMIN_FAILURES_IN_ALL))
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
    const [counted, countedInAll] = await Promise.all([failures.count(client), allFailures.count(EVERY_ADDRESS)])
    if (counted.counted >= MAX_ADMIN_FAILURES) {
      throw new RateLimitedError('too many failed attempts from this address', counted.msBeforeNext)
    }
    if (countedInAll.counted >= MAX_ADMIN_FAILURES_IN_ALL) {
      throw new RateLimitedError('too many failed attempts from all addresses', countedInAll.msBeforeNext)
    }
    let admitted = false
    try {
      await bearer(c, async () => {
        admitted = true
        await next()
      })
    } catch (error) {
      if (admitted || !(error instanceof HTTPException)) throw error
      await Promise.all([failures.add(client), allFailures.add(EVERY_ADDRESS)])
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
