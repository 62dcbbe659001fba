import { z } from 'zod'
import { progressAt, type FailedWebhook, type WebhookProgress } from '../domain/webhook-event.js'
import type { RedisCommands } from './redis-commands.js'
import type { WebhookLog } from './webhook-log.js'

/** Takes the lease (KEYS[1]) for ARGV[1] for ARGV[2] ms, or keeps it where ARGV[1] holds it already. */
const LEASE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`

/** Gives the progress (KEYS[1]), first setting it to ARGV[1] at the ledger's end (KEYS[2]) when there is none. */
const PROGRESS = `
local kept = redis.call('GET', KEYS[1])
if kept then return kept end
local start = string.gsub(ARGV[1], '"seq":0', '"seq":' .. (redis.call('GET', KEYS[2]) or '0'), 1)
redis.call('SET', KEYS[1], start)
return start`

/** What Redis keeps is read as input: anyone with access to Redis can write it. */
const progressReply = z.object({
  seq: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  failingSince: z.number().nullable(),
  nextAttemptAt: z.number().nullable(),
  lastError: z.string().nullable(),
})
const failedReply = z.string().transform((body) => JSON.parse(body) as FailedWebhook)

/**
 * The webhook log of the Redis store, under its prefix: `P webhooks:lease` (which process sends, for how much
 * longer), `P webhooks:progress` (as JSON), `P webhooks:failures` (id -> a failed event, as JSON) and
 * `P webhooks:failures:by-time` (ids, scored by when they failed).
 */
export class RedisWebhookLog implements WebhookLog {
  readonly #commands: RedisCommands
  readonly #keys: Record<'lease' | 'progress' | 'failures' | 'byTime' | 'ledgerSeq', string>

  constructor(commands: RedisCommands) {
    const prefix = commands.prefix
    this.#commands = commands
    this.#keys = {
      lease: `${prefix}webhooks:lease`,
      progress: `${prefix}webhooks:progress`,
      failures: `${prefix}webhooks:failures`,
      byTime: `${prefix}webhooks:failures:by-time`,
      ledgerSeq: `${prefix}ledger:seq`,
    }
  }

  async lease(owner: string, ms: number): Promise<boolean> {
    const taken = await this.#commands.run(() => this.#commands.connection.eval(LEASE, 1, this.#keys.lease, owner, ms))
    return taken === 1
  }

  async progress(): Promise<WebhookProgress> {
    const { progress, ledgerSeq } = this.#keys
    const start = JSON.stringify(progressAt(0))
    const kept = await this.#commands.run(() => this.#commands.connection.eval(PROGRESS, 2, progress, ledgerSeq, start))
    return progressReply.parse(JSON.parse(String(kept)))
  }

  async save(progress: WebhookProgress, failed?: FailedWebhook): Promise<void> {
    const transaction = this.#commands.connection.multi().set(this.#keys.progress, JSON.stringify(progress))
    if (failed) this.#putFailedIn(transaction, failed.event.id, failed)
    await this.#commands.run(() => transaction.exec())
  }

  async failed(limit: number): Promise<FailedWebhook[]> {
    const { connection } = this.#commands
    const ids = await this.#commands.run(() => connection.zrange(this.#keys.byTime, '0', String(limit - 1)))
    if (ids.length === 0) return []
    const bodies = await this.#commands.run(() => connection.hmget(this.#keys.failures, ...ids))
    return bodies.flatMap((body) => (body === null ? [] : [failedReply.parse(body)]))
  }

  async failedOne(id: string): Promise<FailedWebhook | undefined> {
    const body = await this.#commands.run(() => this.#commands.connection.hget(this.#keys.failures, id))
    return body === null ? undefined : failedReply.parse(body)
  }

  async putFailed(id: string, failed: FailedWebhook | undefined): Promise<void> {
    const transaction = this.#commands.connection.multi()
    this.#putFailedIn(transaction, id, failed)
    await this.#commands.run(() => transaction.exec())
  }

  #putFailedIn(transaction: ReturnType<RedisCommands['connection']['multi']>, id: string, failed?: FailedWebhook) {
    if (failed) {
      transaction
        .hset(this.#keys.failures, id, JSON.stringify(failed))
        .zadd(this.#keys.byTime, String(failed.failedAt), id)
    } else {
      transaction.hdel(this.#keys.failures, id).zrem(this.#keys.byTime, id)
    }
  }
}
