import { once } from 'node:events'
import { createServer } from 'node:http'
import Fastify from 'fastify'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import t from 'tap'
import { TRANSPORT, databaseUrl, endStream, freshTarget, rows } from './support/db.js'

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
