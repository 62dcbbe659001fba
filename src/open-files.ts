import { readFileSync } from 'node:fs'

/** The most files this process may hold open (its soft limit), as Linux tells it; undefined elsewhere. */
export function openFileLimit(): number | undefined {
  try {
    const limit = /^Max open files\s+(\d+)\s/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]
    return limit === undefined ? undefined : Number(limit)
  } catch {
    return undefined
  }
}

/**
 * Of `limit` open files, how many a process keeps for everything but the clients it holds: its listening
 * socket, Redis, its logs, and the connections of requests that are answered at once, such as cart actions.
 */
export const filesKeptFree = (limit: number): number => Math.max(100, Math.ceil(limit / 20))
