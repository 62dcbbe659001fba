import type { MiddlewareHandler } from 'hono'
import { invalidRequest } from '../api-error.js'
import { headerOf, upgradeOf } from '../node-bindings.js'

/**
 * Refuses, with 400, an upgrade request anywhere but `path`, or to any protocol but WebSocket, before any
 * route sees it: a route that holds its client (a poll, an event stream) would hold a socket that Node no
 * longer answers on, for good.
 */
export function upgradePath(path: string): MiddlewareHandler {
  return async function upgradePath(c, next) {
    if (upgradeOf(c) !== undefined) {
      const protocol = headerOf(c, 'Upgrade') ?? ''
      if (protocol.toLowerCase() !== 'websocket')
        throw invalidRequest(`this server upgrades only to websocket, not ${JSON.stringify(protocol)}`)
      if (c.req.path !== path) throw invalidRequest(`only ${path} takes a WebSocket, not ${c.req.path}`)
    }
    await next()
  }
}
