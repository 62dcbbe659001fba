/** What one line of an order sold. */
export interface OrderLine {
  readonly sku: string
  readonly name: string
  readonly quantity: number
}

/** A sale of a session's whole cart, made at checkout, all its lines at once. */
export interface Order {
  /** A nanoid. */
  readonly id: string
  readonly session: string
  readonly lines: readonly OrderLine[]
  /** When, in ms since the Unix epoch. */
  readonly createdAt: number
  /** Cancelled by an admin: its units went back to `onHand`. */
  readonly status: 'placed' | 'cancelled'
}
