import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

/** The versioned path `/embed.js` imports the elements from. */
async function elementsPath(request: (path: string) => Response | Promise<Response>): Promise<string> {
  const loader = await (await request('/embed.js')).text()
  const path = /^import '\.(\/v\/[0-9a-f]{12}\/embed\/elements\.js)'\n$/.exec(loader)?.[1]
  expect(path, loader).toBeDefined()
  return path!
}

describe('the drop-in elements’ scripts', () => {
  it('serves /embed.js to any page, revalidated by its ETag', async () => {
    const { app } = await testApp()
    const first = await app.request('/embed.js', { headers: { Origin: 'https://shop.example' } })
    expect(first.status).toBe(200)
    expect(first.headers.get('Content-Type')).toContain('text/javascript')
    expect(first.headers.get('Cache-Control')).toBe('no-cache')
    expect(first.headers.get('Access-Control-Allow-Origin')).toBe('*')
    const etag = first.headers.get('ETag')!
    const again = await app.request('/embed.js', { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('serves the versioned elements and client for a year, and only under the version it serves', async () => {
    const { app } = await testApp()
    const path = await elementsPath((url) => app.request(url))
    const elements = await app.request(path)
    expect(elements.status).toBe(200)
    expect(elements.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    expect(elements.headers.get('Access-Control-Allow-Origin')).toBe('*')
    expect(await elements.text()).toContain('customElements.define')
    const client = await app.request(path.replace('embed/elements.js', 'client/index.js'))
    expect(client.status).toBe(200)
    const etag = client.headers.get('ETag')!
    const again = await app.request(path.replace('embed/elements.js', 'client/index.js'), {
      headers: { 'If-None-Match': etag },
    })
    expect(again.status).toBe(304)
    expect(again.headers.get('Access-Control-Allow-Origin')).toBe('*')

    for (const wrong of [
      path.replace(/\/v\/[0-9a-f]+\//, '/v/000000000000/'),
      path.replace('embed/elements.js', 'embed/..'),
      path.replace('embed/elements.js', 'other/elements.js'),
    ]) {
      const refused = await app.request(wrong)
      expect(refused.status, wrong).toBe(404)
      expect(await refused.json()).toMatchObject({ error: 'not_found' })
    }
  })
})
