import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

/** A TCP connection to the server at `url`, as a client that writes whatever it likes. */
export async function rawConnection(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  await once(socket, 'connect')
  return socket
}

/**
 * Sends `text` as it is and reads until the server closes the connection, failing if it has not closed it
 * within `timeoutMs`: what a hostile client leaves open, the server must not.
 */
export async function sendRaw(url: string, text: string, timeoutMs = 2000): Promise<string> {
  const socket = await rawConnection(url)
  let answer = ''
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
  socket.on('error', () => {})
  socket.write(text)
  const timer = setTimeout(() => socket.destroy(new Error('still open')), timeoutMs)
  const [error] = (await once(socket, 'close')) as [boolean]
  clearTimeout(timer)
  if (error && answer === '')
    throw new Error(`the server neither answered nor closed the connection within ${timeoutMs} ms`)
  return answer
}

/** The status and JSON body of an HTTP answer read off a socket. */
export function parseAnswer(answer: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n', 2)
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]),
    headers: head,
    body: body === '' ? undefined : JSON.parse(body),
  }
}

/** A request line and headers, with the Host of `url`, as a client would send them. */
export const requestText = (url: string, path: string, headers: Record<string, string> = {}): string =>
  [
    `GET ${path} HTTP/1.1`,
    `Host: ${new URL(url).host}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n')

/** The headers of a WebSocket handshake. */
export const WEBSOCKET_HANDSHAKE = {
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
}

/** Opens a WebSocket at `url`'s /ws by hand and reads nothing more after the handshake's answer. */
export async function rawWebSocket(url: string): Promise<Socket> {
  const socket = await rawConnection(url)
  socket.write(requestText(url, '/ws', WEBSOCKET_HANDSHAKE))
  let head = ''
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer]
    head += chunk.toString('latin1')
  }
  if (!head.startsWith('HTTP/1.1 101 ')) throw new Error(`the handshake was refused: ${head}`)
  return socket
}

/** A text frame as a client must send it: masked (with a zero mask, which leaves the payload as it is). */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  if (payload.length > 125) throw new Error('only short frames here')
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload])
}
