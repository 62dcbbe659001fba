import type { BrowserContext, Page } from 'playwright-core'

/** How soon every other window must show a change. */
const UPDATE_WITHIN_MS = 1000

export const textOf = (page: Page, selector: string) => page.locator(selector).textContent()

interface Shown {
  readonly text?: string
  readonly hidden?: boolean
}

/**
 * Waits until the element at `selector` shows what is wanted, failing after `timeout` ms. It watches the
 * page's DOM for the change rather than polling on animation frames, which Chromium never runs in a
 * background tab, and the time limit is kept here, outside the page.
 */
export async function shows(page: Page, selector: string, wanted: Shown, timeout = UPDATE_WITHIN_MS): Promise<void> {
  const seen = page.evaluate(
    ([target, { text, hidden }]) =>
      new Promise<void>((resolve, reject) => {
        const element = document.querySelector<HTMLElement>(target)
        if (!element) return reject(new Error(`nothing matches ${target}`))
        const matches = () =>
          (text === undefined || element.textContent === text) && (hidden === undefined || element.hidden === hidden)
        if (matches()) return resolve()
        const observer = new MutationObserver(() => {
          if (!matches()) return
          observer.disconnect()
          resolve()
        })
        observer.observe(element, { subtree: true, childList: true, characterData: true, attributes: true })
      }),
    [selector, wanted] as const,
  )
  // The page may close before it ever shows what was wanted; that is reported below, not as an unhandled error.
  seen.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      void textOf(page, selector).then((shown) =>
        reject(
          new Error(
            `${selector} did not show ${JSON.stringify(wanted)} within ${timeout} ms: it shows ${JSON.stringify(shown)}`,
          ),
        ),
      )
    }, timeout)
  })
  try {
    await Promise.race([seen, late])
  } finally {
    clearTimeout(timer)
  }
}

export const showsText = (page: Page, selector: string, text: string, timeout?: number) =>
  shows(page, selector, { text }, timeout)

/**
 * Clicks as a shopper would, in the window in front: Chromium throttles animation frames in background
 * tabs, and a click waits for them.
 */
export async function clickIn(page: Page, selector: string): Promise<void> {
  await page.bringToFront()
  await page.click(selector)
}

/** Opens `count` tabs of `url` one after the other, each once it shows the link as live. */
export async function openTabs(context: BrowserContext, url: string, count: number): Promise<Page[]> {
  const tabs: Page[] = []
  for (let i = 0; i < count; i++) {
    const tab = await context.newPage()
    await tab.goto(url)
    await showsText(tab, '#link', 'live', 5000)
    tabs.push(tab)
  }
  return tabs
}
