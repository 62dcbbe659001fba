// @ts-check
// What a shopper asks of each cart line, sent one request at a time per line. A click made while a request
// runs is never lost: it changes the quantity wanted, and that is sent as soon as the answer comes; clicks
// made before an answer come are sent as one request, for the last quantity asked.

/**
 * @param {(sku: string, quantity: number) => Promise<void>} send sends one line's quantity and shows the
 *   answer, refusals included; it resolves once the answer is definitive
 * @param {(sku: string) => void} changed hears that a line's wanted quantity changed, or was settled
 */
export function lineRequests(send, changed) {
  /** The quantity asked for of each line whose last request is not answered yet. @type {Map<string, number>} */
  const wanted = new Map()
  /** @type {Set<string>} */
  const sending = new Set()

  /** @param {string} sku */
  async function sendAll(sku) {
    sending.add(sku)
    for (let quantity = wanted.get(sku); quantity !== undefined; quantity = wanted.get(sku)) {
      await send(sku, quantity)
      if (wanted.get(sku) === quantity) wanted.delete(sku)
    }
    sending.delete(sku)
    changed(sku)
  }

  return {
    /**
     * Asks for `quantity` of a line: sent now, or once the request under way is answered.
     * @param {string} sku
     * @param {number} quantity
     */
    want(sku, quantity) {
      wanted.set(sku, quantity)
      changed(sku)
      if (!sending.has(sku)) void sendAll(sku)
    },
    /**
     * The quantity asked for of a line and not answered yet, if any.
     * @param {string} sku
     */
    wanted: (sku) => wanted.get(sku),
  }
}
