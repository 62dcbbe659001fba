import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { catalogFile } from '../helpers/catalogs.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { postCart } from '../helpers/running-server.js'
import { useServerProcesses, type ServerProcess } from '../helpers/server-process.js'

interface LogLine {
  readonly level: string
  readonly msg: string
}

/** Stops a server process as a signal would, and gives the lines it logged as JSON. */
async function stop(server: ServerProcess): Promise<LogLine[]> {
  server.child.kill('SIGTERM')
  await once(server.child, 'exit')
  return server
    .output()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine)
}

describe('a catalog file given to a database the quick start made', { timeout: 30_000 }, () => {
  const { startServerProcess } = useServerProcesses()
  const newFile = useDatabaseFiles()

  it('adds its new products, takes its new names, keeps the stock and what it lacks, and says so', async () => {
    const database = { STORE: 'sqlite', DATABASE_FILE: newFile() }
    const quickStart = await startServerProcess(database)
    expect((await postCart(quickStart.url, 'shopper', 'add')).status).toBe(200)
    await stop(quickStart)

    // A shop's export: its own fields beside stockpoll's, the default product renamed and counted anew.
    const file = catalogFile([
      { sku: 'default', name: 'The Limited Edition, signed', onHand: 99, price: 1200 },
      { sku: 'hoodie-grey', name: 'Hoodie, grey', onHand: 12, barcode: '4006381333931' },
    ])
    const synced = await startServerProcess({ ...database, CATALOG_FILE: file })
    const products = (await (await fetch(`${synced.url}/products`)).json()) as { products: object[] }
    expect(products.products).toMatchObject([
      { sku: 'default', name: 'The Limited Edition, signed', onHand: 10, held: 1 },
      { sku: 'hoodie-grey', name: 'Hoodie, grey', onHand: 12, held: 0 },
    ])
    const lines = await stop(synced)
    const said = (level: string, text: string) => lines.some((line) => line.level === level && line.msg.includes(text))
    expect(said('warn', `CATALOG_FILE ${file}: ignored the fields price, barcode`)).toBe(true)
    expect(said('info', 'added 1 product new to the store: hoodie-grey (12 on hand)')).toBe(true)
    expect(said('info', 'renamed 1 product: default from "The Limited Edition" to "The Limited Edition, signed"')).toBe(
      true,
    )
    expect(said('warn', "kept the store's onHand of 1 product, not the file's")).toBe(true)
    expect(said('warn', 'default (the file 99, the store 10)')).toBe(true)
    expect(said('info', 'stockpoll: 2 products, in SQLite')).toBe(true)

    // A file that no longer lists the hoodie: it stays, and the log says so; nothing else is done again.
    const shorter = catalogFile([{ sku: 'default', name: 'The Limited Edition, signed', onHand: 10 }])
    const again = await startServerProcess({ ...database, CATALOG_FILE: shorter })
    const served = (await (await fetch(`${again.url}/products`)).json()) as { products: { sku: string }[] }
    expect(served.products.map(({ sku }) => sku)).toEqual(['default', 'hoodie-grey'])
    const later = (await stop(again)).map(({ msg }) => msg)
    expect(later.filter((msg) => msg.startsWith('CATALOG_FILE'))).toEqual([
      `CATALOG_FILE ${shorter}: kept 1 product the store serves that the file does not list: hoodie-grey`,
    ])
  })
})
