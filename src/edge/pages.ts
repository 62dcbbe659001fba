import { z } from 'zod'
import { wholeNumber } from './input.js'

/** The most items one page of an admin list gives, and how many when the client does not say. */
export const MAX_PAGE = 1000
export const DEFAULT_PAGE = 100

/** A page's `limit` query field: at most this many `items` (`''` for the list's own). */
export const pageLimit = (items = '') =>
  wholeNumber('limit', 1, MAX_PAGE)
    .optional()
    .meta({ description: `At most this many ${items}(${DEFAULT_PAGE} when not said)` })

/** A page's `next`: the cursor the client sends as `after` for the next page. */
export const nextCursor = <Cursor extends z.ZodType>(cursor: Cursor) =>
  cursor.nullable().meta({ description: 'The `after` of the next page; null when this page is the last one so far' })

/** The `next` of a page of at most `limit`: the cursor of its last item, or null when it was not full. */
export const nextAfter = <Item, Cursor>(page: readonly Item[], limit: number, cursorOf: (last: Item) => Cursor) =>
  page.length === limit ? cursorOf(page.at(-1)!) : null
