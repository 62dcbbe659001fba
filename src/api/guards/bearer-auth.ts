import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import { ApiError } from '../../edge/api-error.js'
import { RateLimitedError } from '../../shop/rate-limited-error.js'
import type { Counters } from '../../store/counters.js'
import type { AppEnv } from '../app-env.js'

/**
 * Failed attempts one client address may make at one token in `FAILURE_WINDOW_SECONDS` before it is refused
 * outright.
 */
export const MAX_ADMIN_FAILURES = 10
/**
 * Failed attempts all addresses together may make at one token in the window before every attempt is refused:
 * a guesser with many addresses (a botnet, a whole IPv6 prefix) gets no more guesses than this.
 */
export const MAX_ADMIN_FAILURES_IN_ALL = 100
const FAILURE_WINDOW_SECONDS = 60
/** The one key every failure is also counted under. */
const EVERY_ADDRESS = '*'

/** A secret that lets its holder through, and what it is called. */
export interface BearerToken {
  readonly token: string
  /** Its variable, as refusals name it: `ADMIN_TOKEN`. */
  readonly variable: string
  /** What it guards, for the challenge's realm and the failures' counters: `admin`. */
  readonly guards: string
}

/**
 * Lets through only requests that carry `Authorization: Bearer <token>` (the admin's, or the back end's for
 * checkout); Hono's bearerAuth compares it in constant time. Without it, or with another token, the answer is
 * 401 with `WWW-Authenticate`, as JSON like every refusal. Each failure counts against the client's address and against all addresses together (shared
 * by every process on a shared store); past `MAX_ADMIN_FAILURES` from the address, or
 * `MAX_ADMIN_FAILURES_IN_ALL` from all, in a window, a request is refused with 429 before its token is even
 * compared. Under a guessing attack from many addresses that locks the admin out too, for the window: the
 * price of giving the guessers nothing.
 */
export function bearerTokenAuth(
  { token, variable, guards }: BearerToken,
  counters: Counters,
): MiddlewareHandler<AppEnv> {
  const window = (points: number) => ({ points, durationSeconds: FAILURE_WINDOW_SECONDS })
  const failures = counters.rate(`${guards}-failures`, window(MAX_ADMIN_FAILURES))
  const allFailures = counters.rate(`${guards}-failures-all`, window(MAX_ADMIN_FAILURES_IN_ALL))
  const realm = `stockpoll ${guards}`
  const refusal = (message: string) => ({ error: 'unauthorized', message })
  const bearer = bearerAuth<AppEnv>({
    token,
    realm,
    noAuthenticationHeader: { message: refusal(`send Authorization: Bearer <${variable}>`) },
    invalidAuthenticationHeader: {
      message: refusal(`Authorization must be Bearer <${variable}>`),
      wwwAuthenticateHeader: `Bearer realm="${realm}", error="invalid_request"`,
    },
    invalidToken: {
      message: refusal(`that is not ${variable}`),
      wwwAuthenticateHeader: `Bearer realm="${realm}", error="invalid_token"`,
    },
  })
  return async function bearerTokenAuth(c, next) {
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
      throw await refusalOf(error, realm)
    }
  }
}

/** bearerAuth's refusal as the app's own: its status, message and challenge, as JSON that is never cached. */
async function refusalOf(error: HTTPException, realm: string): Promise<ApiError> {
  const answer = error.getResponse()
  const { message } = (await answer.json()) as { message: string }
  const code = error.status === 400 ? 'invalid_request' : 'unauthorized'
  return new ApiError(error.status, code, message, {
    'WWW-Authenticate': answer.headers.get('WWW-Authenticate') ?? `Bearer realm="${realm}"`,
  })
}
