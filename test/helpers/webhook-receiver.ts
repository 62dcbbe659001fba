import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterEach } from 'vitest'

/** A secret as WEBHOOK_SECRET takes it. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('a test secret of 32 bytes, exact').toString('base64')}`

/** What a receiver was sent, its signature checked. */
export interface Received {
  readonly id: string
  readonly type: string
  readonly timestamp: string
  readonly data: Record<string, unknown> & { readonly sku?: string; readonly order?: { readonly id: string } }
}

/** How the receiver answers: 204, 500, or not at all. */
export type ReceiverMode = 'take' | 'fail' | 'hang'

export interface WebhookReceiver {
  readonly url: string
  /** The events taken (answered 204), in the order they came, each once its signature checked out. */
  readonly taken: Received[]
  /** Requests that came, however they were answered. */
  readonly attempts: () => number
  /** Requests whose signature did not check out: never one. */
  readonly forged: () => number
  answer(mode: ReceiverMode): void
}

/**
 * A shop's webhook receiver on a loopback port, closed after each test: it checks every signature with the
 * `standardwebhooks` package, as a receiver would, and answers as `answer` says.
 */
export function useWebhookReceivers(): (mode?: ReceiverMode) => Promise<WebhookReceiver> {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()))
  })
  return async (initial = 'take') => {
    const verifier = new Webhook(WEBHOOK_SECRET)
    const taken: Received[] = []
    const hanging: ServerResponse[] = []
    let mode = initial
    let attempts = 0
    let forged = 0
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        attempts++
        if (mode === 'hang') return void hanging.push(response)
        if (mode === 'fail') return void response.writeHead(500).end()
        try {
          const event = verifier.verify(body, request.headers as Record<string, string>) as Omit<Received, 'id'>
          taken.push({ id: request.headers['webhook-id'] as string, ...event })
          response.writeHead(204).end()
        } catch {
          forged++
          response.writeHead(400).end()
        }
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    closers.push(async () => {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    })
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
      taken,
      attempts: () => attempts,
      forged: () => forged,
      answer: (next) => {
        mode = next
      },
    }
  }
}
