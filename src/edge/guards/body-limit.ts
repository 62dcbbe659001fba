import { ApiError } from '../api-error.js'
import type { HeaderReader } from '../request-facts.js'

/**
 * Refuses a body over `maxBytes` with 413 before anything reads it, by its Content-Length; a body sent
 * without one (chunked) is refused with 411, since no client of this API needs to stream a body. It reads
 * only headers, where Hono's own body limit reads a chunked body to count its bytes.
 */
export function assertBodyWithin(header: HeaderReader, maxBytes: number): void {
  const length = header('Content-Length')
  if (length === undefined) {
    if (header('Transfer-Encoding') !== undefined) {
      throw new ApiError(411, 'length_required', 'send the body with a Content-Length')
    }
  } else if (!/^\d+$/.test(length) || Number(length) > maxBytes) {
    throw new ApiError(413, 'body_too_large', `a request body may be at most ${maxBytes} bytes`)
  }
}
