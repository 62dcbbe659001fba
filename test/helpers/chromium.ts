import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

/** Debian's Chromium (`apt-get install -y chromium`); never a browser downloaded by a test tool. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

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

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it with apt-get install -y chromium, or set CHROMIUM_PATH`,
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The machine has no network but loopback: keep Chromium from reaching out, and from needing a sandbox as root.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
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
