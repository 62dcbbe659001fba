import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    // A log line per request would bury the test report; the servers tests start as processes set their own.
    env: { LOG_LEVEL: 'warn' },
  },
})
