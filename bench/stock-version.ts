// The stock's version and epoch, and how much a server holds, as the load generators read them.
import { getRequest, requestOnce, type Target } from './raw-http.js'

/** The version in a JSON answer of the API: a snapshot, a poll's answer or a cart action's. */
export const versionIn = (body: string): number => (JSON.parse(body) as { version: number }).version

/** The version now, from `GET /inventory` on a connection of its own. */
export const currentVersion = async (target: Target): Promise<number> =>
  versionIn((await requestOnce(target, getRequest('/inventory'))).body)

/** The epoch in a JSON answer of stockpoll's API; the baseline's have none. */
export const epochIn = (body: string): string | undefined => (JSON.parse(body) as { epoch?: string }).epoch

/** How many polls, streams and sockets a `/healthz` answer says the server holds, on every transport. */
export const heldIn = (body: string): number =>
  Object.values((JSON.parse(body) as { held: Record<string, number> }).held).reduce((sum, count) => sum + count, 0)
