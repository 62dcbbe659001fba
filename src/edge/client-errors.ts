import type { Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { writeFinalRefusal } from './answer.js'

/** Node's own refusals of a request it could not take, by the code of its error. */
const REFUSALS: Readonly<Record<string, readonly [status: number, error: string, message: string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'body_too_large', 'the chunk extensions of the body are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time'],
}
const NOT_HTTP = [400, 'invalid_request', 'the request is not valid HTTP/1.1'] as const

/** Node's socket, with the response in flight on it, which Node's own handler checks too. */
type ServerSocket = Socket & { readonly _httpMessage?: ServerResponse | null }

/**
 * Answers a request Node's parser refused (a bad request line, headers too large, too slow) with the same
 * status Node would, but with the `{ error, message }` JSON every other refusal has, then closes the socket.
 * Nothing is written where an answer is already under way on the socket: it would corrupt that answer.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: ServerSocket) => {
    if (error.code === 'ECONNRESET' || socket._httpMessage?.headersSent) {
      socket.destroy()
      return
    }
    const [status, code, message] = REFUSALS[error.code ?? ''] ?? NOT_HTTP
    writeFinalRefusal(socket, status, code, message)
  })
}
