// @ts-check
// The ledger, oldest first, a page at a time, and its check against every product's counters.
import { ApiError } from '../client/index.js'
import { element, setText } from '../ui/dom.js'
import { messageOf } from './api.js'

/**
 * @typedef {{ seq: number, time: string, sku: string, kind: string, quantity: number, actor: string,
 *   onHand: number, held: number }} Movement
 */

const PAGE = 50

/** @param {import('./api.js').AdminApi} api */
export function ledgerTable(api) {
  const body = element('movements')
  const result = element('verify-result')
  let last = 0

  /** @param {Movement} movement */
  function rowOf({ seq, time, sku, kind, quantity, actor, onHand, held }) {
    const row = document.createElement('tr')
    for (const text of [seq, new Date(time).toLocaleString(), sku, kind, quantity, actor, onHand, held]) {
      row.appendChild(document.createElement('td')).textContent = String(text)
    }
    return row
  }

  element('more-movements').addEventListener('click', () => void ledger.more())
  const verify = async () => {
    setText(result, 'Replaying the ledger…')
    try {
      await api.get('admin/verify')
      setText(result, 'The ledger adds up to every product’s counters.')
    } catch (error) {
      const diverged = error instanceof ApiError && error.code === undefined && error.status === 409
      setText(result, diverged ? 'The ledger does not add up: GET /admin/verify names where.' : messageOf(error))
    }
  }
  element('verify').addEventListener('click', () => void verify())

  const ledger = {
    /** Shows the next page of movements after the last shown. */
    async more() {
      const { movements } = /** @type {{ movements: Movement[] }} */ (
        await api.get(`admin/movements?after=${last}&limit=${PAGE}`)
      )
      body.append(...movements.map(rowOf))
      last = movements.at(-1)?.seq ?? last
    },
  }
  return ledger
}
