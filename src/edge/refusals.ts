import { z } from 'zod'
import { UnknownProductError } from '../domain/unknown-product-error.js'
import type { Logger } from '../logger.js'
import { TooManyWaitersError } from '../push/too-many-waiters-error.js'
import { RateLimitedError } from '../shop/rate-limited-error.js'
import { IdempotencyKeyReusedError } from '../store/idempotency-key-reused-error.js'
import { StoreUnavailableError } from '../store/store-unavailable-error.js'
import { ApiError } from './api-error.js'

/** Seconds a client is asked to wait before it holds another request on a full server. */
const FULL_RETRY_AFTER_SECONDS = 5
/** Seconds a client is asked to wait before it tries a store that did not answer; reconnecting is quick. */
const STORE_RETRY_AFTER_SECONDS = 1

/** What every refusal answers: a code to act on and a sentence to show, with what else it knows. */
export const errorBody = z.looseObject({ error: z.string(), message: z.string() })

/**
 * What a client is told when the store did not answer in time. A read is simply tried again; a change may
 * have been made all the same (the store may have done it and the answer been lost), so the client is told
 * how to find out without making it twice.
 */
const STORE_UNAVAILABLE = {
  read: 'the stock cannot be reached right now; try again',
  change:
    'the stock could not be reached in time, so this change may or may not have been made: send it again with ' +
    'the same Idempotency-Key to find out, which never makes it twice (or read the stock before you try again)',
} as const

/** Whether the failure is of a request that reads, or of one that may change the stock. */
export type Attempt = keyof typeof STORE_UNAVAILABLE

/** What an HTTP request with this method attempts. */
export const attemptOf = (method: string): Attempt => (method === 'GET' || method === 'HEAD' ? 'read' : 'change')

/** What a failure means to a client: itself if it is an `ApiError`, else the refusal or fault it stands for. */
function refusalOf(err: unknown, attempt: Attempt): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof TooManyWaitersError) {
    return new ApiError(503, err.code, err.message, { 'Retry-After': String(FULL_RETRY_AFTER_SECONDS) })
  }
  if (err instanceof RateLimitedError) {
    return new ApiError(429, err.code, err.message, { 'Retry-After': String(err.retryAfterSeconds) })
  }
  if (err instanceof IdempotencyKeyReusedError) return new ApiError(422, err.code, err.message)
  if (err instanceof UnknownProductError) return new ApiError(404, err.code, err.message)
  if (err instanceof StoreUnavailableError) {
    return new ApiError(503, err.code, STORE_UNAVAILABLE[attempt], { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) })
  }
  return new ApiError(500, 'internal_error', 'the server failed to handle this request')
}

/** The answer to send for a failure; a fault (500) is logged, with what the client is not told. */
export function apiErrorOf(err: unknown, logger: Logger, attempt: Attempt): ApiError {
  const refusal = refusalOf(err, attempt)
  if (refusal.status === 500) logger.error({ err }, 'a request failed')
  return refusal
}

/** The code a failure is answered with, for counting; nothing is logged. */
export const errorCodeOf = (err: unknown): string => refusalOf(err, 'change').code

/** The body of a refusal: `{ error, message }` and what else it says. */
export const refusalBody = ({ code, message, details }: ApiError): z.infer<typeof errorBody> => ({
  error: code,
  message,
  ...details,
})
