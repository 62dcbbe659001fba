import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { TooManyWaitersError } from '../push/hub.js'
import { IdempotencyKeyReusedError, StoreUnavailableError } from '../store/store.js'
import { errorFields, log } from '../log.js'
import { jsonAnswerOf } from './answer.js'

/** Seconds a client is asked to wait before it holds another request on a full server. */
const FULL_RETRY_AFTER_SECONDS = 5
/** Seconds a client is asked to wait before it tries a store that did not answer; reconnecting is quick. */
const STORE_RETRY_AFTER_SECONDS = 1

export interface ErrorBody {
  readonly error: string
  readonly message: string
}

/** An answer that refuses a request; thrown from a handler, rendered by `onError` as `{ error, message }`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const invalidRequest = (message: string): ApiError => new ApiError(400, 'invalid_request', message)

/** What a failure means to a client: itself if it is an `ApiError`, else the refusal or fault it stands for. */
function refusalOf(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof TooManyWaitersError) {
    return new ApiError(503, err.code, err.message, { 'Retry-After': String(FULL_RETRY_AFTER_SECONDS) })
  }
  if (err instanceof IdempotencyKeyReusedError) return new ApiError(422, err.code, err.message)
  if (err instanceof StoreUnavailableError) {
    return new ApiError(503, err.code, 'the stock cannot be reached right now; nothing was lost, try again', {
      'Retry-After': String(STORE_RETRY_AFTER_SECONDS),
    })
  }
  return new ApiError(500, 'internal_error', 'the server failed to handle this request')
}

/** The answer to send for a failure; a fault (500) is logged here, with what the client is not told. */
export function apiErrorOf(err: unknown): ApiError {
  const refusal = refusalOf(err)
  if (refusal.status === 500) log.error('a request failed', errorFields(err))
  return refusal
}

/** The code a failure is answered with, for counting; nothing is logged. */
export const errorCodeOf = (err: unknown): string => refusalOf(err).code

export const onError: ErrorHandler = (err) => {
  const { status, code, message, headers } = apiErrorOf(err)
  return errorAnswer(status, code, message, headers)
}

export const notFound: NotFoundHandler = (c) =>
  errorAnswer(404, 'not_found', `there is nothing at ${c.req.method} ${c.req.path}`)

/** A handler for the methods a path does not serve, to put after the ones it does. */
export function methodNotAllowed(...allowed: readonly string[]) {
  const allow = allowed.join(', ')
  return (c: Context): Response =>
    errorAnswer(405, 'method_not_allowed', `${c.req.path} accepts ${allow}, not ${c.req.method}`, { Allow: allow })
}

function errorAnswer(
  status: ContentfulStatusCode,
  error: string,
  message: string,
  headers?: Readonly<Record<string, string>>,
): Response {
  const body: ErrorBody = { error, message }
  return jsonAnswerOf(body, status, headers)
}
