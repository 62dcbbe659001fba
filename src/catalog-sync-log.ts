import type { CatalogFile } from './catalog-file.js'
import type { Logger } from './logger.js'
import type { CatalogSync } from './shop/catalog-sync.js'

/** Says what bringing the store in line with the catalog file did, and what it left alone and why: a line each. */
export function logCatalogSync(
  logger: Logger,
  { path, ignoredFields }: Omit<CatalogFile, 'products'>,
  { added, renamed, stockKept, notInFile }: CatalogSync,
): void {
  const of = `CATALOG_FILE ${path}`
  if (ignoredFields.length > 0) {
    logger.warn(
      { ignoredFields },
      `${of}: ignored the fields ${ignoredFields.join(', ')} (stockpoll reads sku, name and onHand)`,
    )
  }
  if (added.length > 0) {
    const list = added.map(({ sku, onHand }) => `${sku} (${onHand} on hand)`)
    logger.info(
      { added: added.map(({ sku }) => sku) },
      `${of}: added ${count(added)} new to the store: ${list.join(', ')}`,
    )
  }
  if (renamed.length > 0) {
    const list = renamed.map(({ sku, from, to }) => `${sku} from ${JSON.stringify(from)} to ${JSON.stringify(to)}`)
    logger.info({ renamed: renamed.map(({ sku }) => sku) }, `${of}: renamed ${count(renamed)}: ${list.join(', ')}`)
  }
  if (stockKept.length > 0) {
    const list = stockKept.map(({ sku, file, store }) => `${sku} (the file ${file}, the store ${store})`)
    logger.warn(
      { stockKept: stockKept.map(({ sku }) => sku) },
      `${of}: kept the store's onHand of ${count(stockKept)}, not the file's: stock moves only through the ` +
        `ledger (restock, adjust or sell it with the admin API): ${list.join(', ')}`,
    )
  }
  if (notInFile.length > 0) {
    logger.warn(
      { notInFile },
      `${of}: kept ${count(notInFile)} the store serves that the file does not list: ${notInFile.join(', ')}`,
    )
  }
}

const count = (products: readonly unknown[]) => (products.length === 1 ? '1 product' : `${products.length} products`)
