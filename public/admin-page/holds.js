// @ts-check
// One product's cart lines: who holds how many, and for how long; each can be let go.
import { element, setText } from '../ui/dom.js'
import { itemWithAction } from './controls.js'
import { timeLeft } from '../client/index.js'

/** @typedef {{ session: string, quantity: number, lapsed: boolean, holdExpiresInSeconds: number | null }} Hold */

/** @param {import('./api.js').AdminApi} api */
export function holdsPanel(api) {
  const section = element('holds')
  const heading = element('holds-heading')
  const list = element('hold-list')
  const empty = element('holds-empty')
  const message = element('holds-message')
  /** @type {string | undefined} */
  let shown

  /** @param {Hold} hold */
  const textOf = ({ session, quantity, lapsed, holdExpiresInSeconds }) =>
    `${session}: ${quantity}, ${
      lapsed
        ? 'lapsed'
        : holdExpiresInSeconds === null
          ? 'held'
          : `lapses in ${timeLeft(Date.now() + holdExpiresInSeconds * 1000)}`
    }`

  /**
   * @param {string} sku
   * @param {Hold} hold
   */
  const itemOf = (sku, hold) =>
    itemWithAction({
      text: textOf(hold),
      button: 'Release',
      label: `Release the hold of ${hold.session}`,
      act: async () => {
        await api.remove(`admin/products/${encodeURIComponent(sku)}/holds/${encodeURIComponent(hold.session)}`)
        return `Released ${hold.session}'s ${sku}.`
      },
      message,
      after: () => panel.refresh(),
    })

  const panel = {
    /** @param {string} sku */
    async show(sku) {
      shown = sku
      section.hidden = false
      setText(heading, `Holds of ${sku}`)
      setText(message, '')
      await panel.refresh()
    },
    async refresh() {
      const sku = shown
      if (sku === undefined) return
      const { holds } = /** @type {{ holds: Hold[] }} */ (
        await api.get(`admin/products/${encodeURIComponent(sku)}/holds`)
      )
      if (sku !== shown) return
      list.replaceChildren(...holds.map((hold) => itemOf(sku, hold)))
      empty.hidden = holds.length > 0
    },
  }
  return panel
}
