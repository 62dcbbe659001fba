/**
 * The shape of every id a client names: a session, an epoch (and, with a catalog, a SKU). Safe in URLs,
 * headers, Redis keys and event ids as it is.
 */
export const TOKEN_SOURCE = '[A-Za-z0-9_-]{1,64}'

/** The longest a token may be, as `TOKEN_SOURCE` says. */
export const MAX_TOKEN_LENGTH = 64

export const TOKEN = new RegExp(`^${TOKEN_SOURCE}$`)

/** How a token's shape is said in an error message. */
export const TOKEN_SHAPE = '1 to 64 characters of A-Z, a-z, 0-9, _ or -'
