import { StockpollError } from '../stockpoll-error.js'

/** A refusal of a request: thrown from a handler, answered by either front door as `{ error, message }`. */
export class ApiError extends StockpollError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** What the refusal's body says besides `error` and `message`, such as how many units are left. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message)
  }
}

export const invalidRequest = (message: string): ApiError => new ApiError(400, 'invalid_request', message)
