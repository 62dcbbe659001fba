import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigError } from './config-error.js'
import { MAX_ON_HAND, type ProductDefinition } from './domain/product.js'
import { TOKEN, TOKEN_SHAPE } from './domain/tokens.js'
import { productName } from './edge/input.js'

const productEntry = z.strictObject(
  {
    sku: z.string({ error: 'sku must be a string' }).regex(TOKEN, { error: `sku must be ${TOKEN_SHAPE}` }),
    name: productName,
    onHand: z
      .number({ error: `onHand must be a whole number from 0 to ${MAX_ON_HAND}` })
      .int({ error: `onHand must be a whole number from 0 to ${MAX_ON_HAND}` })
      .min(0, { error: `onHand must be a whole number from 0 to ${MAX_ON_HAND}` })
      .max(MAX_ON_HAND, { error: `onHand must be a whole number from 0 to ${MAX_ON_HAND}` }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.join(', ')}`
        : 'must be an object of sku, name and onHand',
  },
)

/**
 * The products a catalog file lists: a JSON array of `{ "sku", "name", "onHand" }`, in the order the shop
 * shows them. Anything wrong with it is a `ConfigError` naming the file, the first bad entry (from 1) and
 * its field.
 */
export function readCatalogFile(path: string): ProductDefinition[] {
  const fail = (what: string): never => {
    throw new ConfigError(`CATALOG_FILE ${path}: ${what}`)
  }
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  let entries: unknown
  try {
    entries = JSON.parse(text)
  } catch {
    fail('is not valid JSON')
  }
  if (!Array.isArray(entries) || entries.length === 0) return fail('must be a JSON array of at least one product')
  const seen = new Map<string, number>()
  return entries.map((entry, index) => {
    const parsed = productEntry.safeParse(entry)
    const sku =
      typeof (entry as { sku?: unknown } | null)?.sku === 'string'
        ? ` (sku ${JSON.stringify((entry as { sku: string }).sku)})`
        : ''
    if (!parsed.success) return fail(`entry ${index + 1}${sku}: ${parsed.error.issues[0]!.message}`)
    const first = seen.get(parsed.data.sku)
    if (first !== undefined) return fail(`entry ${index + 1}${sku}: sku is entry ${first}'s too`)
    seen.set(parsed.data.sku, index + 1)
    return parsed.data
  })
}
