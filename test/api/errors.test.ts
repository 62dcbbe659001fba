import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { errorHandler } from '../../src/api/errors.js'
import { recordingLogger } from '../helpers/log-lines.js'

describe('errorHandler', () => {
  it('answers a Hono HTTPException with its own status, in the { error, message } every refusal has', async () => {
    const { logger, lines } = recordingLogger()
    const app = new Hono()
      .get('/guarded', () => {
        throw new HTTPException(401, { message: 'who are you?' })
      })
      .get('/bare', () => {
        throw new HTTPException(413)
      })
      .onError(errorHandler(logger))
    const guarded = await app.request('/guarded')
    expect(guarded.status).toBe(401)
    expect(await guarded.json()).toEqual({ error: 'unauthorized', message: 'who are you?' })
    const bare = await app.request('/bare')
    expect(bare.status).toBe(413)
    expect(await bare.json()).toEqual({ error: 'payload_too_large', message: 'Payload Too Large' })
    expect(lines()).toEqual([])
  })

  it('answers anything else thrown with a 500 that leaks nothing, and logs it with its stack', async () => {
    const { logger, lines } = recordingLogger()
    const app = new Hono()
      .get('/broken', () => {
        throw new Error('disk on fire at /var/secret')
      })
      .onError(errorHandler(logger))
    const response = await app.request('/broken')
    expect(response.status).toBe(500)
    expect(JSON.stringify(await response.json())).not.toContain('secret')
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'a request failed',
        err: expect.objectContaining({
          message: 'disk on fire at /var/secret',
          stack: expect.stringContaining('Error'),
        }),
      }),
    ])
  })
})
