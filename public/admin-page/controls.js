// @ts-check
// What the admin page's lists and tables are drawn with: buttons, and an item with a button that acts on it.
import { setText } from '../ui/dom.js'
import { messageOf } from './api.js'

/**
 * @param {string} text
 * @param {'button' | 'submit'} [type]
 */
export function button(text, type = 'button') {
  const made = document.createElement('button')
  made.type = type
  made.textContent = text
  return made
}

/**
 * A list item: `text`, and a button (`label` for assistive technology) that runs `act`, says what came of it
 * in `message`, and then runs `after`, which redraws.
 * @param {{ text: string, button: string, label: string, act: () => Promise<string>, message: HTMLElement,
 *   after: () => Promise<void> }} options
 */
export function itemWithAction({ text, button: caption, label, act, message, after }) {
  const item = document.createElement('li')
  item.textContent = `${text} `
  const action = button(caption)
  action.setAttribute('aria-label', label)
  const run = async () => {
    try {
      setText(message, await act())
    } catch (error) {
      setText(message, messageOf(error))
    }
    await after()
  }
  action.addEventListener('click', () => void run())
  item.append(action)
  return item
}
