import { vi } from 'vitest'

/** Waits until `condition` holds, asking every few ms, and fails if it does not within `timeoutMs`. */
export const eventually = (condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> =>
  vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error(`the condition did not hold within ${timeoutMs} ms`)
    },
    { timeout: timeoutMs, interval: 5 },
  )
