/**
 * How long a store waits before connecting again to its server (Redis, PostgreSQL), after the given number of
 * failed attempts: doubling from 50 ms, at most a second, so that an outage ends in under a second's wait.
 */
export const reconnectDelayMs = (attempt: number): number => Math.min(50 * 2 ** attempt, 1000)
