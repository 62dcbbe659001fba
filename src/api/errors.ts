import { STATUS_CODES } from 'node:http'
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { jsonAnswerOf } from '../edge/answer.js'
import { ApiError } from '../edge/api-error.js'
import { apiErrorOf, attemptOf, refusalBody } from '../edge/refusals.js'
import type { Logger } from '../logger.js'

/** A status's reason phrase as an error code: 413 is `payload_too_large`. */
const codeOfStatus = (status: number): string =>
  (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '_')

/** A refusal as the app answers it: `{ error, message }` with its status and headers. */
const refusalAnswer = (refusal: ApiError): Response =>
  jsonAnswerOf(refusalBody(refusal), refusal.status, refusal.headers)

/**
 * Answers every failure in one place, as the edge means it; a Hono `HTTPException`, from Hono's own
 * middleware, as its status.
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return function errorHandler(err, c) {
    if (err instanceof HTTPException) {
      const { status } = err
      return refusalAnswer(
        new ApiError(status, codeOfStatus(status), err.message || (STATUS_CODES[status] ?? 'refused')),
      )
    }
    return refusalAnswer(apiErrorOf(err, logger, attemptOf(c.req.method)))
  }
}

export const notFound: NotFoundHandler = (c) =>
  refusalAnswer(new ApiError(404, 'not_found', `there is nothing at ${c.req.method} ${c.req.path}`))

/** A handler for the methods a path does not serve, to put after the ones it does. */
export function methodNotAllowed(...allowed: readonly string[]) {
  const allow = allowed.join(', ')
  return (c: Context): Response =>
    refusalAnswer(
      new ApiError(405, 'method_not_allowed', `${c.req.path} accepts ${allow}, not ${c.req.method}`, { Allow: allow }),
    )
}
