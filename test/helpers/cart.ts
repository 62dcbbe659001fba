/** What answers a request for a path: an app's `request()`, or `fetch` against a running server. */
export type Requester = (path: string, init: RequestInit) => Response | Promise<Response>

/** A requester that sends to the server at `url`. */
export const fetchFrom =
  (url: string): Requester =>
  (path, init) =>
    fetch(`${url}${path}`, init)

/** `POST /cart` with form fields, as `curl -d` sends them, and any headers. */
export const postCartWith = async (
  request: Requester,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> => request('/cart', { method: 'POST', headers, body: new URLSearchParams(fields) })
