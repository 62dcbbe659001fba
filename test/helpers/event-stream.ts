import { get, type IncomingMessage } from 'node:http'

/**
 * One message from a Server-Sent Events stream: an event, a comment line such as a heartbeat, or a bare
 * `retry:` field, which sets how long the browser waits before reconnecting.
 */
export type StreamMessage =
  | { readonly kind: 'event'; readonly event: string; readonly id: string | undefined; readonly data: string }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'retry'; readonly ms: number }

/**
 * Reads a real `text/event-stream` response message by message, as a browser's EventSource would parse it,
 * comments included so that heartbeats can be seen. It uses node:http, whose `destroy()` closes the
 * connection at once, as a browser closing its tab does.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, { headers }, resolve).once('error', reject),
  )
  response.setEncoding('utf8')
  let buffer = ''
  let done = false
  const queued: StreamMessage[] = []
  let wake = () => {}
  response.on('data', (chunk: string) => {
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      queued.push(parse(buffer.slice(0, end)))
      buffer = buffer.slice(end + 2)
    }
    wake()
  })
  response.once('close', () => {
    done = true
    wake()
  })

  /** The next message; fails if none comes within `timeoutMs`, or the stream ended. */
  async function next(timeoutMs = 2000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs
    while (queued.length === 0) {
      if (done) throw new Error('the stream ended')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`)
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, left)
      })
      clearTimeout(timer)
    }
    return queued.shift()!
  }

  /** The next event, skipping comments. */
  async function nextEvent(timeoutMs = 2000) {
    for (;;) {
      const message = await next(timeoutMs)
      if (message.kind === 'event') return message
    }
  }

  /** Resolves once the server ends the stream; fails if it is still open after `timeoutMs`. */
  async function ended(timeoutMs = 2000): Promise<void> {
    try {
      for (;;) await next(timeoutMs)
    } catch (error) {
      if ((error as Error).message !== 'the stream ended') throw error
    }
  }

  return { response, next, nextEvent, ended, close: () => response.destroy() }
}

function parse(block: string): StreamMessage {
  const lines = block.split('\n')
  if (lines.every((line) => line.startsWith(':'))) {
    return { kind: 'comment', text: lines.map((line) => line.slice(1).trim()).join('\n') }
  }
  let event = 'message'
  let id: string | undefined
  let retry: number | undefined
  const data: string[] = []
  for (const line of lines) {
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'id') id = value
    else if (field === 'data') data.push(value)
    else if (field === 'retry') retry = Number(value)
  }
  if (retry !== undefined && data.length === 0) return { kind: 'retry', ms: retry }
  return { kind: 'event', event, id, data: data.join('\n') }
}
