// The clients a fan-out reaches, each on a connection of its own: long polls that poll again at once or stop
// once answered, event streams and WebSockets. They behave as the page does on each transport.
import { Connection, getRequest, type Answer, type Origin, type Target } from './raw-http.js'
import { StreamConnection } from './raw-stream.js'
import { epochIn, versionIn } from './stock-version.js'

/**
 * What a client does: `repoll`, as a browser's long poll does, asks again at once on the same connection with
 * the cursor of its answer; `stop` asks nothing more; `sse` and `ws` follow the classic stream, as a browser's
 * EventSource or WebSocket does, and stay open.
 */
export const CLIENT_KINDS = ['repoll', 'stop', 'sse', 'ws'] as const
export type ClientKind = (typeof CLIENT_KINDS)[number]

/** Whether clients of a kind stay connected once sent an update, rather than asking again. */
export const isStream = (kind: ClientKind): kind is 'sse' | 'ws' => kind === 'sse' || kind === 'ws'

/** One client of a fan-out. */
export interface Subscriber {
  /** The first update past `version` it is sent: a long poll's answer, or the stream's next event. */
  after(version: number): Promise<Answer>
  close(): void
}

/** The query of a poll from a cursor: `since`, and `epoch` where the server has one (the baseline has none). */
const pollFrom = (version: number, epoch: string | undefined) =>
  getRequest(`/status?since=${version}${epoch === undefined ? '' : `&epoch=${epoch}`}&timeout=120`)

/** Connects a client of `kind`, from where `origin` says. */
export async function openSubscriber(kind: ClientKind, target: Target, origin: Origin = 'any'): Promise<Subscriber> {
  if (isStream(kind)) return StreamConnection.open(target, kind, origin)
  const connection = await Connection.open(target, origin)
  return {
    after(version) {
      const answer = connection.request(pollFrom(version, undefined))
      if (kind === 'repoll') {
        // Asks again the moment it is answered, from the cursor it was given; that poll is held to the end.
        void answer.then(
          ({ body }) => connection.request(pollFrom(versionIn(body), epochIn(body))).catch(() => {}),
          () => {},
        )
      }
      return answer
    },
    close: () => connection.close(),
  }
}
