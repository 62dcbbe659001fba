// @ts-check
// The shapes of stockpoll's answers, as the server's own zod schemas define them: `npm run typecheck`
// checks the client against the server, and the client's declarations carry them to its users.

/** A product's stock as the shop lets shoppers see it: its level always, the counts as `STOCK_DISPLAY` shows them. @typedef {import('zod').infer<typeof import('../../src/edge/stock-bodies.js').shopperStockBody>} Product */
/** An update a feed sends: the products that changed, at the catalog's version, in its epoch. @typedef {import('zod').infer<typeof import('../../src/edge/stock-bodies.js').catalogBodySchema>} Update */
/** A line of a shopper's cart, as `GET /cart` and `POST /cart` answer it. @typedef {import('zod').infer<typeof import('../../src/edge/stock-bodies.js').lineBodySchema>} CartLine */
/** An order a checkout made. @typedef {import('zod').infer<typeof import('../../src/edge/sale-bodies.js').orderBodySchema>} Order */
/** What `GET /products` answers: the catalog, the cap on a line, and the shop's name. @typedef {import('zod').infer<typeof import('../../src/edge/stock-bodies.js').shopBodySchema>} Shop */

export {}
