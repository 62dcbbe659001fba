import { once } from 'node:events'
import WebSocket from 'ws'

/** A WebSocket client that queues the frames it receives, parsed. */
export async function connect(url: string, query = '') {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${query}`)
  const frames: unknown[] = []
  let wake = () => {}
  socket.on('message', (data) => {
    frames.push(JSON.parse((data as Buffer).toString()))
    wake()
  })
  await once(socket, 'open')
  return {
    socket,
    async next(timeoutMs = 2000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs
      while (frames.length === 0) {
        if (Date.now() > deadline) throw new Error(`no frame within ${timeoutMs} ms`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 20)
        })
      }
      return frames.shift() as Record<string, unknown>
    },
    send: (frame: unknown) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
  }
}
