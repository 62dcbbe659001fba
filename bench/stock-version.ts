// The stock's version, as the load generators read it to poll from where the server stands.
import { getRequest, requestOnce, type Target } from './raw-http.js'

/** The version in a JSON answer of the API: a snapshot, a poll's answer or a cart action's. */
export const versionIn = (body: string): number => (JSON.parse(body) as { version: number }).version

/** The version now, from `GET /inventory` on a connection of its own. */
export const currentVersion = async (target: Target): Promise<number> =>
  versionIn((await requestOnce(target, getRequest('/inventory'))).body)
