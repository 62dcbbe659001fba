// @hono/node-server builds a `CloseEvent` for every WebSocket that closes and an `ErrorEvent` for every one
// that fails. Node 20 has neither global (Node 22 added them), so each close would throw inside the server
// instead of reaching `onClose`: a closed socket would stay subscribed. These stand in for them on Node 20.

class CloseEventOf20 extends Event {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean

  constructor(type: string, init: CloseEventInit = {}) {
    super(type, init)
    this.code = init.code ?? 0
    this.reason = init.reason ?? ''
    this.wasClean = init.wasClean ?? false
  }
}

class ErrorEventOf20 extends Event {
  readonly error: unknown
  readonly message: string
  readonly filename: string
  readonly lineno: number
  readonly colno: number

  constructor(type: string, init: ErrorEventInit = {}) {
    super(type, init)
    this.error = init.error
    this.message = init.message ?? ''
    this.filename = init.filename ?? ''
    this.lineno = init.lineno ?? 0
    this.colno = init.colno ?? 0
  }
}

globalThis.CloseEvent ??= CloseEventOf20 as typeof CloseEvent
globalThis.ErrorEvent ??= ErrorEventOf20 as typeof ErrorEvent
