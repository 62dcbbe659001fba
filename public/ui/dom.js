// @ts-check
// What stockpoll's page and its drop-in elements draw with.

/**
 * The element with this id, which the page's HTML always has.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function element(id) {
  const found = document.getElementById(id)
  if (!found) throw new Error(`the page has no #${id}`)
  return /** @type {T} */ (found)
}

/**
 * Sets an element's text only when it differs, so that a redraw that changes nothing mutates nothing.
 * @param {HTMLElement} shown
 * @param {string} text
 */
export function setText(shown, text) {
  if (shown.textContent !== text) shown.textContent = text
}

/**
 * Enables and disables buttons that act on one thing (+ and −, Add and Remove), keeping keyboard focus among
 * them: a focused button that is disabled hands the focus to one that is not, where it would drop to the page.
 * @param {[HTMLButtonElement, boolean][]} buttons each with whether it is now disabled
 */
export function setDisabled(buttons) {
  const losing = buttons.some(([button, disabled]) => disabled && button === document.activeElement)
  for (const [button, disabled] of buttons) button.disabled = disabled
  if (losing) buttons.find(([, disabled]) => !disabled)?.[0].focus()
}
