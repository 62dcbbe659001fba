import type { BrowserContext, Page } from 'playwright-core'

/** How soon every other window must show a change. */
const UPDATE_WITHIN_MS = 1000

export const textOf = (page: Page, selector: string) => page.locator(selector).textContent()

interface Shown {
  readonly text?: string
  readonly hidden?: boolean
}

/** The text of the element at `selector` now, or null where nothing matches: read at once, never waited for. */
const textNow = (page: Page, selector: string) =>
  // Playwright's CSS looks into open shadow roots by itself.
  page.locator(selector.replace(' >>> ', ' ')).evaluateAll((found) => found[0]?.textContent ?? null)

/**
 * Waits until an element at `selector` shows what is wanted, failing after `timeout` ms. The element need not
 * be there yet, and may be replaced meanwhile: the selector is looked up again on every change to the page's
 * DOM, watched with a MutationObserver rather than polled on animation frames, which Chromium never runs in a
 * background tab. The time limit is kept here, outside the page. `host >>> inner` looks inside the shadow root of
 * a custom element, which is watched too once it is there.
 */
export async function shows(page: Page, selector: string, wanted: Shown, timeout = UPDATE_WITHIN_MS): Promise<void> {
  const seen = page.evaluate(
    ([target, { text, hidden }]) =>
      new Promise<void>((resolve) => {
        const [host, inner] = target.split(' >>> ')
        const watched = new Set<Node>()
        const watch = (root: Node | null | undefined) => {
          if (!root || watched.has(root)) return
          watched.add(root)
          observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true })
        }
        const matches = () => {
          const shadow = document.querySelector(host!)?.shadowRoot
          watch(shadow)
          const element =
            inner === undefined
              ? document.querySelector<HTMLElement>(target)
              : shadow?.querySelector<HTMLElement>(inner)
          return (
            element != null &&
            (text === undefined || element.textContent === text) &&
            (hidden === undefined || element.hidden === hidden)
          )
        }
        const observer = new MutationObserver(() => {
          if (!matches()) return
          observer.disconnect()
          resolve()
        })
        watch(document)
        if (matches()) {
          observer.disconnect()
          resolve()
        }
      }),
    [selector, wanted] as const,
  )
  // The page may close before it ever shows what was wanted; that is reported below, not as an unhandled error.
  seen.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      void textNow(page, selector).then(
        (shown) =>
          reject(
            new Error(
              `${selector} did not show ${JSON.stringify(wanted)} within ${timeout} ms: ${shown === null ? 'nothing matches it' : `it shows ${JSON.stringify(shown)}`}`,
            ),
          ),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
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
