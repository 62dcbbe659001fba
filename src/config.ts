import { z } from 'zod'
import { DEFAULT_TOTAL_INVENTORY } from './domain/shopping-cart.js'

export interface Config {
  readonly port: number
  readonly host: string
  readonly totalInventory: number
  readonly pollTimeoutSeconds: number
  readonly maxWaiters: number
}

/** The widest `?timeout=` a client may ask for, and the widest `POLL_TIMEOUT_SECONDS`. */
export const MAX_POLL_TIMEOUT_SECONDS = 120

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** An unset or empty variable takes its default; anything else must be a whole number in range. */
function integerVariable(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const text = raw?.trim() ?? ''
      if (text === '') return fallback
      const value = Number(text)
      if (/^\d+$/.test(text) && value >= min && value <= max) return value
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}` })
      return z.NEVER
    })
}

const environment = z.object({
  PORT: integerVariable('PORT', 0, 65_535, 3000),
  HOST: z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || '127.0.0.1'),
  TOTAL_INVENTORY: integerVariable('TOTAL_INVENTORY', 0, 100_000, DEFAULT_TOTAL_INVENTORY),
  POLL_TIMEOUT_SECONDS: integerVariable('POLL_TIMEOUT_SECONDS', 1, MAX_POLL_TIMEOUT_SECONDS, 25),
  MAX_WAITERS: integerVariable('MAX_WAITERS', 1, 1_000_000, 20_000),
})

/** Reads the configuration from environment variables; throws a `ConfigError` naming every bad one. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = environment.safeParse(env)
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join('; '))
  const { PORT, HOST, TOTAL_INVENTORY, POLL_TIMEOUT_SECONDS, MAX_WAITERS } = parsed.data
  return {
    port: PORT,
    host: HOST,
    totalInventory: TOTAL_INVENTORY,
    pollTimeoutSeconds: POLL_TIMEOUT_SECONDS,
    maxWaiters: MAX_WAITERS,
  }
}
