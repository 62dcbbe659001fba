import { afterEach, describe, expect, it } from 'vitest'
import { syncCatalog } from '../../src/shop/catalog-sync.js'
import { products } from '../helpers/catalogs.js'
import { useStoreKinds, type TestStore } from '../helpers/stores.js'

const kinds = useStoreKinds()

describe.each(kinds)('syncCatalog, on the $name store', ({ open, openTwo }) => {
  const opened: TestStore[] = []
  afterEach(async () => {
    await Promise.all([...new Set(opened.splice(0))].map((store) => store.close()))
  })

  it('adds the products new to the store, takes new names, and keeps the stock and the products the file lacks', async () => {
    const store = await open({
      catalog: [
        { sku: 'lamp', name: 'Lamp', onHand: 5 },
        { sku: 'vase', name: 'Vase', onHand: 3 },
      ],
      rules: { maxPerSession: 5 },
    })
    opened.push(store)
    await store.apply({ session: 's', sku: 'lamp', request: { action: 'set', quantity: 2 } })
    const file = [
      { sku: 'lamp', name: 'Desk lamp', onHand: 50 },
      { sku: 'rug', name: 'Rug', onHand: 7 },
    ]
    const expected = {
      added: [{ sku: 'rug', name: 'Rug', onHand: 7 }],
      renamed: [{ sku: 'lamp', from: 'Lamp', to: 'Desk lamp' }],
      stockKept: [{ sku: 'lamp', file: 50, store: 5 }],
      notInFile: ['vase'],
    }
    expect(await syncCatalog(store, file)).toEqual(expected)
    expect((await store.catalog()).products).toMatchObject([
      { sku: 'lamp', name: 'Desk lamp', onHand: 5, held: 2 },
      { sku: 'vase', name: 'Vase', onHand: 3, held: 0 },
      { sku: 'rug', name: 'Rug', onHand: 7, held: 0 },
    ])
    expect(await store.movements({ sku: 'rug', after: 0, limit: 10 })).toMatchObject([{ kind: 'restock', quantity: 7 }])
    expect(await store.verify()).toBeUndefined()
    // Again, with nothing new: only what it leaves alone is left to say.
    expect(await syncCatalog(store, file)).toEqual({ ...expected, added: [], renamed: [] })
  })

  it('adds each new product once, whichever of the processes starting together on one store syncs first', async () => {
    const [one, two] = await openTwo({ catalog: products(1) })
    opened.push(one, two)
    const file = products(21, 4)
    const syncs = await Promise.all([syncCatalog(one, file), syncCatalog(two, file)])
    expect(syncs.flatMap(({ added }) => added.map(({ sku }) => sku)).sort()).toEqual(
      file
        .slice(1)
        .map(({ sku }) => sku)
        .sort(),
    )
    const { products: served } = await one.catalog()
    expect(served).toHaveLength(21)
    expect(served.slice(1).every(({ onHand }) => onHand === 4)).toBe(true)
    const restocks = (await one.movements({ after: 0, limit: 100 })).filter(({ kind }) => kind === 'restock')
    expect(restocks.map(({ sku }) => sku).sort()).toEqual(file.map(({ sku }) => sku).sort())
  })
})
