import { Webhook } from 'standardwebhooks'
import type { PostWebhook } from '../shop/webhook-sender.js'
import { webhookBody } from './webhook-bodies.js'

/** Where webhooks go, and the secret they are signed with (`whsec_` and base64, as Standard Webhooks has it). */
export interface WebhookTarget {
  readonly url: string
  readonly secret: string
  /** How long a receiver may take to answer before the attempt counts as failed. */
  readonly timeoutMs: number
}

/**
 * Posts events to the target with the Standard Webhooks headers: `webhook-id` (the same on every attempt),
 * `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 of the id, the timestamp and the body). Redirects
 * are not followed: a receiver that moved says so in its own answer, which counts as a failure.
 */
export function webhookPoster({ url, secret, timeoutMs }: WebhookTarget): PostWebhook {
  const signer = new Webhook(secret)
  return async (event) => {
    // The wall clock's time, whatever clock the rest runs on: the receiver checks it against its own.
    const now = Date.now()
    const body = JSON.stringify(webhookBody(event))
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'stockpoll',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now / 1000)),
      'webhook-signature': signer.sign(event.id, new Date(now), body),
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      await response.body?.cancel()
      return response.ok ? { ok: true } : { ok: false, error: `the receiver answered ${response.status}` }
    } catch (error) {
      return { ok: false, error: reasonOf(error) }
    }
  }
}

/** Why a request failed, in words an operator acts on: fetch puts the network's reason in `cause`. */
function reasonOf(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'the receiver did not answer in time'
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  return cause instanceof Error ? cause.message : String(cause)
}
