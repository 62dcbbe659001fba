import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/config-error.js'
import { loadConfig } from '../src/config.js'
import { WEBHOOK_SECRET } from './helpers/webhook-receiver.js'

describe('loadConfig', () => {
  it('has a default for everything', () => {
    expect(loadConfig({}, { openFileLimit: 20_000 })).toEqual({
      port: 3000,
      host: '127.0.0.1',
      shopName: undefined,
      catalog: [{ sku: 'default', name: 'The Limited Edition', onHand: 10 }],
      rules: { maxPerSession: 1 },
      display: { mode: 'exact', lowAt: 5, showsHolds: false },
      pollTimeoutSeconds: 25,
      shutdownSpreadMs: 2000,
      maxWaiters: 19_000,
      heartbeatSeconds: 15,
      cartTtlSeconds: 900,
      store: { kind: 'sqlite', file: './data/stockpoll.db' },
      adminToken: undefined,
      checkoutToken: undefined,
      workers: 1,
      limits: {
        maxHeldPerClient: 100,
        cartActionsPerSecondPerSession: 5,
        cartActionsPerSecondPerClient: 50,
        headersTimeoutSeconds: 10,
        allowedOrigins: [],
        allowedHosts: ['127.0.0.1', 'localhost', '[::1]'],
        trustedProxies: [],
      },
      logLevel: 'info',
    })
  })

  it('holds as many clients as the open-file limit leaves room for, and refuses more', () => {
    expect(loadConfig({}, { openFileLimit: 1024 }).maxWaiters).toBe(924)
    expect(loadConfig({ MAX_WAITERS: '924' }, { openFileLimit: 1024 }).maxWaiters).toBe(924)
    expect(() => loadConfig({ MAX_WAITERS: '20000' }, { openFileLimit: 20_000 })).toThrow(
      'MAX_WAITERS must be a whole number from 1 to 19000 (this process may open 20000 files, and keeps 1000 for itself), got "20000"',
    )
    expect(loadConfig({}, { openFileLimit: undefined }).maxWaiters).toBe(20_000)
  })

  it.each([
    [{ HOST: '127.0.0.1' }, ['127.0.0.1', 'localhost', '[::1]']],
    [{ HOST: '::1' }, ['[::1]', 'localhost', '127.0.0.1']],
    [{ HOST: '10.0.0.5' }, ['10.0.0.5']],
    [{ HOST: '0.0.0.0' }, 'any'],
    [{ HOST: '0.0.0.0', ALLOWED_HOSTS: 'Shop.Example, 10.0.0.5' }, ['shop.example', '10.0.0.5']],
    [{ ALLOWED_HOSTS: '*' }, 'any'],
  ])('answers for the hosts it listens as, or those ALLOWED_HOSTS names: %o', (env, hosts) => {
    expect(loadConfig(env).limits.allowedHosts).toEqual(hosts)
  })

  it.each(['shop.example:8080', 'https://shop.example', '::1', 'shop example'])('refuses ALLOWED_HOSTS=%s', (hosts) => {
    expect(() => loadConfig({ ALLOWED_HOSTS: hosts })).toThrow(/^ALLOWED_HOSTS must be host names without a port/)
  })

  it('reads the Redis store and its settings', () => {
    expect(
      loadConfig({ STORE: 'redis', REDIS_URL: 'redis://cache:6380/2', STORE_KEY_PREFIX: 'shop-7:', WORKERS: '4' }),
    ).toMatchObject({
      store: { kind: 'redis', server: { url: 'redis://cache:6380/2' }, keyPrefix: 'shop-7:' },
      workers: 4,
    })
    expect(loadConfig({ STORE: 'redis' }).store).toEqual({
      kind: 'redis',
      server: { url: 'redis://127.0.0.1:6379' },
      keyPrefix: 'stockpoll:',
      waitReplicas: 0,
    })
  })

  it('reads a Redis Cluster, and Sentinel with the replicas to wait for', () => {
    expect(loadConfig({ STORE: 'redis', REDIS_CLUSTER_NODES: '10.0.0.5:7000, cache-b:7001,[::1]:7002' }).store).toEqual(
      {
        kind: 'redis',
        server: {
          clusterNodes: [
            { host: '10.0.0.5', port: 7000 },
            { host: 'cache-b', port: 7001 },
            { host: '::1', port: 7002 },
          ],
        },
        keyPrefix: 'stockpoll:',
        waitReplicas: 0,
      },
    )
    expect(
      loadConfig({
        STORE: 'redis',
        REDIS_SENTINELS: 's1:26379,s2:26379',
        REDIS_MASTER_NAME: 'shop',
        REDIS_WAIT_REPLICAS: '1',
      }).store,
    ).toEqual({
      kind: 'redis',
      server: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
        masterName: 'shop',
      },
      keyPrefix: 'stockpoll:',
      waitReplicas: 1,
    })
    expect(loadConfig({ STORE: 'redis', REDIS_SENTINELS: 's1:26379' }).store).toMatchObject({
      server: { masterName: 'mymaster' },
    })
  })

  it('reads the SQLite store, the memory store and the admin token', () => {
    expect(loadConfig({ DATABASE_FILE: '/var/lib/shop.db' }).store).toEqual({
      kind: 'sqlite',
      file: '/var/lib/shop.db',
    })
    expect(loadConfig({ STORE: 'memory' }).store).toEqual({ kind: 'memory' })
    expect(loadConfig({ ADMIN_TOKEN: 'a'.repeat(32) }).adminToken).toBe('a'.repeat(32))
  })

  it.each([
    [{ STORE: 'mysql' }, 'STORE must be sqlite, memory, redis or postgres, got "mysql"'],
    [{ STORE: 'postgres' }, 'STORE=postgres needs DATABASE_URL: postgres://user@host:5432/database'],
    [
      { STORE: 'postgres', DATABASE_URL: 'mysql://db/shop' },
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got "mysql://db/shop"',
    ],
    [
      { STORE: 'postgres', DATABASE_URL: 'postgres://db/shop', DATABASE_SCHEMA: 'My Shop' },
      'DATABASE_SCHEMA must be 1 to 48 characters of a-z, 0-9 and _',
    ],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN must be at least 32 characters'],
    [
      { STORE: 'redis', REDIS_URL: 'http://cache' },
      'REDIS_URL must be a redis:// or rediss:// URL, got "http://cache"',
    ],
    [{ STORE: 'redis', STORE_KEY_PREFIX: 'my shop' }, 'STORE_KEY_PREFIX must be 1 to 64 characters'],
    [
      { STORE: 'redis', REDIS_CLUSTER_NODES: '10.0.0.5,10.0.0.6:7000' },
      'REDIS_CLUSTER_NODES must be host:port pairs separated by commas, such as 10.0.0.5:7000,10.0.0.6:7000, got "10.0.0.5,10.0.0.6:7000"',
    ],
    [{ STORE: 'redis', REDIS_SENTINELS: 's1:99999' }, 'REDIS_SENTINELS must be host:port pairs'],
    [
      { STORE: 'redis', REDIS_URL: 'redis://cache', REDIS_SENTINELS: 's1:26379' },
      'REDIS_URL and REDIS_SENTINELS name two Redis: give one of them',
    ],
    [
      { STORE: 'redis', REDIS_CLUSTER_NODES: 'c1:7000', REDIS_WAIT_REPLICAS: '1' },
      'REDIS_WAIT_REPLICAS goes without REDIS_CLUSTER_NODES',
    ],
    [{ STORE: 'redis', REDIS_WAIT_REPLICAS: '-1' }, 'REDIS_WAIT_REPLICAS must be a whole number from 0 to 16'],
    [{ STORE: 'redis', REDIS_MASTER_NAME: 'my master' }, 'REDIS_MASTER_NAME must be 1 to 64 characters'],
    [
      { WORKERS: '2' },
      'WORKERS=2 needs STORE=redis or postgres: with the sqlite store the database file belongs to one process',
    ],
    [
      { STORE: 'memory', WORKERS: '2' },
      'WORKERS=2 needs STORE=redis or postgres: with the memory store every worker would sell its own stock',
    ],
    [{ STORE: 'redis', WORKERS: '0' }, 'WORKERS must be a whole number from 1 to 64, got "0"'],
    [{ SHOP_NAME: 'x'.repeat(101) }, 'SHOP_NAME must be at most 100 characters'],
    [{ STOCK_DISPLAY: 'hidden' }, 'STOCK_DISPLAY must be exact, low or level, got "hidden"'],
    [{ SHOW_HOLDS: 'yes' }, 'SHOW_HOLDS must be true or false, got "yes"'],
    [{ CHECKOUT: 'backend' }, 'CHECKOUT=backend needs CHECKOUT_TOKEN'],
    [{ CHECKOUT_TOKEN: 'a'.repeat(32) }, 'CHECKOUT_TOKEN goes with CHECKOUT=backend'],
    [{ CHECKOUT: 'closed' }, 'CHECKOUT must be open or backend, got "closed"'],
    [{ CHECKOUT: 'backend', CHECKOUT_TOKEN: 'short' }, 'CHECKOUT_TOKEN must be at least 32 characters'],
    [{ WEBHOOK_URL: 'https://shop.example/hooks' }, 'WEBHOOK_URL needs WEBHOOK_SECRET'],
    [{ WEBHOOK_SECRET: WEBHOOK_SECRET }, 'WEBHOOK_SECRET goes with WEBHOOK_URL'],
    [
      { WEBHOOK_URL: 'ftp://shop.example', WEBHOOK_SECRET: WEBHOOK_SECRET },
      'WEBHOOK_URL must be an http:// or https:// URL, got "ftp://shop.example"',
    ],
    [
      { WEBHOOK_URL: 'https://shop.example/hooks', WEBHOOK_SECRET: 'hunter2' },
      'WEBHOOK_SECRET must be whsec_ followed by 24 to 64 random bytes in base64',
    ],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })

  it('reads where webhooks go and what signs them', () => {
    expect(loadConfig({ WEBHOOK_URL: ' https://shop.example/hooks ', WEBHOOK_SECRET }).webhooks).toEqual({
      url: 'https://shop.example/hooks',
      secret: WEBHOOK_SECRET,
    })
    expect(loadConfig({}).webhooks).toBeUndefined()
  })

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '8080',
        HOST: '0.0.0.0',
        TOTAL_INVENTORY: '3',
        POLL_TIMEOUT_SECONDS: '60',
        MAX_WAITERS: '5',
        HEARTBEAT_SECONDS: '30',
        STOCK_DISPLAY: 'level',
        LOW_STOCK_AT: '2',
        SHOW_HOLDS: 'true',
      }),
    ).toMatchObject({
      display: { mode: 'level', lowAt: 2, showsHolds: true },
      port: 8080,
      host: '0.0.0.0',
      catalog: [{ sku: 'default', name: 'The Limited Edition', onHand: 3 }],
      pollTimeoutSeconds: 60,
      maxWaiters: 5,
      heartbeatSeconds: 30,
    })
  })

  it('reads the limits, and refuses an origin or a proxy address that is not one', () => {
    const { limits } = loadConfig({
      MAX_WAITERS_PER_IP: '7',
      CART_RATE_PER_SESSION: '2',
      CART_RATE_PER_IP: '9',
      HEADERS_TIMEOUT_SECONDS: '3',
      ALLOWED_ORIGINS: 'https://shop.example, http://localhost:8080',
      TRUSTED_PROXIES: '127.0.0.1, ::1',
    })
    expect(limits).toEqual({
      maxHeldPerClient: 7,
      cartActionsPerSecondPerSession: 2,
      cartActionsPerSecondPerClient: 9,
      headersTimeoutSeconds: 3,
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
      allowedHosts: ['127.0.0.1', 'localhost', '[::1]'],
      trustedProxies: ['127.0.0.1', '::1'],
    })
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://shop.example/path' })).toThrow(
      /^ALLOWED_ORIGINS must be origins/,
    )
    expect(() => loadConfig({ TRUSTED_PROXIES: 'nginx.local' })).toThrow(/^TRUSTED_PROXIES must be IP addresses/)
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', TOTAL_INVENTORY: ' ' })).toMatchObject({
      port: 3000,
      catalog: [{ sku: 'default', onHand: 10 }],
    })
  })

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['TOTAL_INVENTORY', '-1'],
    ['TOTAL_INVENTORY', '2.5'],
    ['TOTAL_INVENTORY', 'ten'],
    ['POLL_TIMEOUT_SECONDS', '0'],
    ['POLL_TIMEOUT_SECONDS', '121'],
    ['MAX_WAITERS', '0'],
    ['HEARTBEAT_SECONDS', '0'],
  ])('refuses %s=%s with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`^${name} must be a whole number from \\d+ to \\d+( \\(.*\\))?, got "${value}"$`),
    )
  })

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', MAX_WAITERS: 'y' })).toThrow(/^PORT .*; MAX_WAITERS /)
  })

  describe('with a catalog file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stockpoll-catalog-'))
    const file = (name: string, text: string) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    }

    it('reads the products it lists, in order, and the caps on a line', () => {
      const example = fileURLToPath(new URL('../deploy/catalog.example.json', import.meta.url))
      const config = loadConfig({ CATALOG_FILE: example, MAX_PER_SESSION: '3', MAX_UNITS_PER_ADDRESS: '6' })
      expect(config.catalog.map(({ sku }) => sku)).toEqual([
        'tee-black-m',
        'tee-black-l',
        'hoodie-grey',
        'cap-navy',
        'poster-a2',
      ])
      expect(config.catalog[4]).toEqual({ sku: 'poster-a2', name: 'Poster, A2, signed', onHand: 3 })
      expect(config.rules).toEqual({ maxPerSession: 3, maxPerAddress: 6 })
    })

    it.each([
      [
        '[{"sku":"a","name":"A","onHand":1},{"sku":"b c","name":"B","onHand":1}]',
        'entry 2 (sku "b c"): sku must be 1 to 64 characters',
      ],
      ['[{"sku":"a","name":"A","onHand":-1}]', 'entry 1 (sku "a"): onHand must be a whole number from 0 to 1000000000'],
      ['[{"sku":"a","name":"","onHand":1}]', 'entry 1 (sku "a"): name must not be empty'],
      [
        '[{"sku":"a","name":"A","onHand":1},{"sku":"a","name":"again","onHand":2}]',
        'entry 2 (sku "a"): sku is entry 1\'s too',
      ],
      ['[]', 'must be a JSON array of at least one product'],
      ['{"sku":"a"}', 'must be a JSON array of at least one product'],
      ['[{"sku":', 'is not valid JSON'],
    ])('refuses %s, naming the entry and the field', (text, message) => {
      const path = file(`catalog-${Math.random()}.json`, text)
      expect(() => loadConfig({ CATALOG_FILE: path })).toThrow(ConfigError)
      expect(() => loadConfig({ CATALOG_FILE: path })).toThrow(`CATALOG_FILE ${path}: ${message}`)
    })

    it('names every bad entry at once', () => {
      const path = file(
        'bad.json',
        '[{"sku":"a","name":"A","onHand":-1},{"sku":"b","name":"B","onHand":1},{"sku":"c"}]',
      )
      expect(() => loadConfig({ CATALOG_FILE: path })).toThrow(
        `CATALOG_FILE ${path}: entry 1 (sku "a"): onHand must be a whole number from 0 to 1000000000; ` +
          'entry 3 (sku "c"): name is required, onHand must be a whole number from 0 to 1000000000',
      )
    })

    it("reads an entry with fields of the shop's own, and names them once, to be ignored", () => {
      const path = file(
        'export.json',
        '[{"sku":"a","name":"A","onHand":1,"price":3},{"sku":"b","name":"B","onHand":2,"price":4,"barcode":"1"}]',
      )
      const config = loadConfig({ CATALOG_FILE: path })
      expect(config.catalog).toEqual([
        { sku: 'a', name: 'A', onHand: 1 },
        { sku: 'b', name: 'B', onHand: 2 },
      ])
      expect(config.catalogFile).toEqual({ path, ignoredFields: ['price', 'barcode'] })
    })

    it('refuses a file it cannot read, and TOTAL_INVENTORY beside a file', () => {
      expect(() => loadConfig({ CATALOG_FILE: join(dir, 'missing.json') })).toThrow(/cannot be read \(ENOENT\)/)
      const path = file('one.json', '[{"sku":"a","name":"A","onHand":1}]')
      expect(() => loadConfig({ CATALOG_FILE: path, TOTAL_INVENTORY: '5' })).toThrow(
        /TOTAL_INVENTORY goes without CATALOG_FILE/,
      )
    })
  })
})
