import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigError } from './config-error.js'
import { MAX_ON_HAND, type ProductDefinition } from './domain/product.js'
import { TOKEN, TOKEN_SHAPE } from './domain/tokens.js'
import { productName } from './edge/input.js'

const onHandError = `onHand must be a whole number from 0 to ${MAX_ON_HAND}`

/** The fields stockpoll reads of an entry; any other is the shop's own (a price, a barcode), and ignored. */
const productEntry = z.object(
  {
    sku: z.string({ error: 'sku must be a string' }).regex(TOKEN, { error: `sku must be ${TOKEN_SHAPE}` }),
    name: productName,
    onHand: z
      .number({ error: onHandError })
      .int({ error: onHandError })
      .min(0, { error: onHandError })
      .max(MAX_ON_HAND, { error: onHandError }),
  },
  { error: 'must be an object of sku, name and onHand' },
)
const READ_FIELDS = new Set(Object.keys(productEntry.shape))

/** A catalog file as it was read: its products, and the fields of its entries that stockpoll does not read. */
export interface CatalogFile {
  readonly path: string
  readonly products: ProductDefinition[]
  readonly ignoredFields: readonly string[]
}

/**
 * The products a catalog file lists: a JSON array of `{ "sku", "name", "onHand" }`, in the order the shop
 * shows them, each entry with any other fields of the shop's own. Anything wrong with it is a `ConfigError`
 * naming the file and every bad entry (from 1), with its field.
 */
export function readCatalogFile(path: string): CatalogFile {
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
  const problems: string[] = []
  const ignored = new Set<string>()
  const products = entries.flatMap((entry: unknown, index) => {
    const parsed = productEntry.safeParse(entry)
    const sku =
      typeof (entry as { sku?: unknown } | null)?.sku === 'string'
        ? ` (sku ${JSON.stringify((entry as { sku: string }).sku)})`
        : ''
    if (!parsed.success) {
      problems.push(`entry ${index + 1}${sku}: ${parsed.error.issues.map(({ message }) => message).join(', ')}`)
      return []
    }
    const first = seen.get(parsed.data.sku)
    if (first !== undefined) {
      problems.push(`entry ${index + 1}${sku}: sku is entry ${first}'s too`)
      return []
    }
    seen.set(parsed.data.sku, index + 1)
    for (const field of Object.keys(entry as object)) if (!READ_FIELDS.has(field)) ignored.add(field)
    return [parsed.data]
  })
  if (problems.length > 0) fail(problems.join('; '))
  return { path, products, ignoredFields: [...ignored] }
}
