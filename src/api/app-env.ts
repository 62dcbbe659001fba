import type { Context } from 'hono'

/** What the app keeps per request, set once by the first middleware that knows it. */
export interface AppEnv {
  readonly Variables: {
    /** The address the request came from, as the per-client limits count it. */
    readonly client: string
  }
}

export type AppContext = Context<AppEnv>
