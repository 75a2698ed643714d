import { once } from 'node:events'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import t from 'tap'
import curatorLog from '../lib/app/http/fastify.js'
import { requestContext } from '../lib/app/http/request-context.js'
import { TRANSPORT, databaseUrl, endStream, freshTarget, rows } from './support/db.js'
import { listen } from './support/http.js'
import { flushed, testLogger } from './support/logger.js'

type Row = Record<string, any>

t.test('Fastify\'s own logger with curator-log/transport as its target: request fields in their columns', async t => {
  const { target, client } = await freshTarget(t)
  const app = Fastify({ logger: { transport: { target: TRANSPORT, options: { connectionString: databaseUrl(), schema: target.schema, spillDir: false } } } })
  const stream = (app.log as unknown as Record<symbol, any>)[pino.symbols.streamSym]
  await once(stream, 'ready')
  app.get('/items/:id', async request => {
    request.log.info({ item: 7 }, 'handled')
    return 'ok'
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  for (const q of ['?x=1', '']) t.equal(await (await fetch(base + '/items/7' + q, { headers: { 'user-agent': 'shape-test/1' } })).text(), 'ok')
  await app.close()
  await endStream(stream)
  const got = await rows<Row>(client, target)
  const requests = got.filter(r => !r.message.startsWith('Server listening'))
  t.equal(requests.length, 6, 'incoming, handled, completed for each request')
  const ids = [...new Set(requests.map(r => r.request_id))]
  t.equal(ids.length, 2, 'each request has its own id')
  for (const id of ids) {
    t.match(requests.filter(r => r.request_id === id), [
      { message: 'incoming request', method: 'GET', path: '/items/7', ip_address: '127.0.0.1', context: { req: { method: 'GET' } } },
      { message: 'handled', context: { item: 7 } },
      { message: 'request completed', status_code: 200, duration_ms: Number, context: { res: { statusCode: 200 } } }
    ])
  }
  for (const r of requests) {
    t.notOk('reqId' in r.context, 'reqId moved to request_id')
    t.notOk('responseTime' in r.context, 'responseTime moved to duration_ms')
  }
  t.match(requests[0].context.req.url, '/items/7?x=1', 'the url with its query stays in context')
})

t.test('pino-http with curator-log/transport: request fields in their columns', async t => {
  const { target, client } = await freshTarget(t)
  const stream = pino.transport({ target: TRANSPORT, options: { connectionString: databaseUrl(), schema: target.schema, spillDir: false } })
  await once(stream, 'ready')
  const logger = pino(stream)
  const http = pinoHttp({ logger })
  const server = createServer((req, res) => {
    http(req, res)
    req.log.info('handled')
    res.statusCode = req.url?.startsWith('/missing') ? 404 : 200
    res.end('done')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  await (await fetch(base + '/orders/1?page=2', { headers: { 'user-agent': 'shape-test/2' } })).text()
  await (await fetch(base + '/missing', { headers: { 'user-agent': 'shape-test/2' } })).text()
  server.close()
  await endStream(stream)
  const got = await rows<Row>(client, target)
  t.equal(got.length, 4)
  const [first, second] = [got.filter(r => r.path === '/orders/1'), got.filter(r => r.path === '/missing')]
  t.match(first, [
    { message: 'handled', request_id: /^\S+$/, method: 'GET', ip_address: '127.0.0.1', user_agent: 'shape-test/2' },
    { message: 'request completed', method: 'GET', status_code: 200, duration_ms: Number, user_agent: 'shape-test/2' }
  ])
  t.match(second, [{ message: 'handled' }, { message: 'request completed', status_code: 404 }])
  t.equal(first[0].request_id, first[1].request_id)
  t.not(first[0].request_id, second[0].request_id)
})

t.test('a dual-stack server sees 127.0.0.1 as ::ffff:127.0.0.1: every HTTP path stores 127.0.0.1', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const stream = pino.transport({ target: TRANSPORT, options: { connectionString: databaseUrl(), schema: target.schema, spillDir: false } })
  await once(stream, 'ready')
  const servers: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {}
  for (const [name, log] of [['pino-http-create-logger', logger], ['pino-http-transport', pino(stream)]] as const) {
    const http = pinoHttp({ logger: log })
    servers[name] = (req, res) => { http(req, res); res.end('ok') }
  }
  const mw = requestContext({ logger })
  servers['request-context'] = (req, res) => mw(req, res, () => res.end('ok'))
  const bases = Object.entries(servers).map(async ([name, handler]) => [name, await listen(t, createServer(handler), '::')])
  const plugin = Fastify({ disableRequestLogging: true })
  await plugin.register(curatorLog, { logger })
  plugin.get('/*', async () => 'ok')
  const own = Fastify({ loggerInstance: logger })
  await own.register(curatorLog, { logger })
  own.get('/*', async () => 'ok')
  const dualStack = async (app: Pick<FastifyInstance, 'listen' | 'server'> & { close (): PromiseLike<unknown> }): Promise<string> => {
    await app.listen({ port: 0, host: '::' })
    t.teardown(() => app.close())
    return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  }
  const all = [...await Promise.all(bases), ['fastify-plugin', await dualStack(plugin)], ['fastify-logger-instance', await dualStack(own)]]
  for (const [name, base] of all) t.equal(await (await fetch(`${base}/${name}`)).text(), 'ok')
  await flushed(logger)
  await endStream(stream)
  const got = await rows<Row>(client, target)
  const byPath = new Map<string, string[]>()
  for (const r of got.filter(r => r.path !== null)) byPath.set(r.path, [...byPath.get(r.path) ?? [], `${r.message}: ${r.ip_address}`])
  t.same(Object.fromEntries(byPath), {
    '/pino-http-create-logger': ['request completed: 127.0.0.1'],
    '/pino-http-transport': ['request completed: 127.0.0.1'],
    '/request-context': ['request completed: GET /request-context: 127.0.0.1'],
    '/fastify-plugin': ['request completed: GET /fastify-plugin: 127.0.0.1'],
    // Fastify's incoming line comes before the plugin's hook: its address is its req.remoteAddress.
    '/fastify-logger-instance': ['incoming request: 127.0.0.1', 'request completed: 127.0.0.1']
  })
})

t.test('req.remoteAddress in any spelling of an IPv4-mapped address is stored as the IPv4 address', async t => {
  const { target, client } = await freshTarget(t)
  const stream = pino.transport({ target: TRANSPORT, options: { connectionString: databaseUrl(), schema: target.schema, spillDir: false } })
  await once(stream, 'ready')
  const log = pino(stream)
  const cases: Array<[given: string, stored: string]> = [
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['::ffff:a01:203', '10.1.2.3'],
    ['0:0:0:0:0:FFFF:0A01:0203', '10.1.2.3'],
    ['[::ffff:10.1.2.3]:4711', '10.1.2.3'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
    // Not mapped: kept as written.
    ['::ffff:0:a01:203', '::ffff:0:a01:203'],
    ['2001:DB8::ffff:1', '2001:DB8::ffff:1'],
    ['fe80::ffff:1%eth0', 'fe80::ffff:1%eth0'],
    ['::ffff:10.1.2', '::ffff:10.1.2'],
    ['unknown', 'unknown']
  ]
  for (const [n, [given]] of cases.entries()) log.info({ req: { method: 'GET', url: `/${n}`, remoteAddress: given } }, 'request')
  await endStream(stream)
  const got = await rows<Row>(client, target)
  t.same(got.map(r => [r.context.req.remoteAddress, r.ip_address]), cases, 'one row per line, in order; req stays whole in context')
})
