import { existsSync } from 'node:fs'
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { CHROMIUM_PATH, launchChromium } from './launch-chromium.js'

/**
 * Whether the browser tests run: always in CI, where a missing Chromium must fail them, and elsewhere only
 * where Chromium is installed.
 */
export const runBrowserTests = process.env.CI === 'true' || existsSync(CHROMIUM_PATH)

if (!runBrowserTests) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  )
}

/**
 * One Chromium for the test file, and a fresh browser context (its own storage, locks and channels: a
 * shopper's browser) for each test. Call it inside the `describe`; it returns the current test's context.
 */
export function useBrowserContext(): () => BrowserContext {
  let browser: Browser | undefined
  let context: BrowserContext | undefined
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  beforeEach(async () => {
    context = await browser!.newContext()
  })
  afterEach(async () => {
    // Closing the pages first ends their connections, so the server can close at once.
    await context?.close()
  })
  return () => context!
}
