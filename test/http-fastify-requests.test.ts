import { Agent, request as httpRequest } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import curatorLog from '../lib/app/http/fastify.js'
import { freshTarget } from './support/db.js'
import { testLogger } from './support/logger.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

type App = Pick<FastifyInstance, 'listen' | 'server'> & { close (): PromiseLike<unknown> }

async function start (t: Test, app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => { await app.close() })
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
}

/** GETs over one keep-alive connection, one after another; resolves with each response's X-Request-ID. */
async function keepAliveGets (t: Test, base: string, paths: string[], headers: Record<string, string> = {}): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const ids: string[] = []
  const sockets = new Set<unknown>()
  for (const path of paths) {
    ids.push(await new Promise<string>((resolve, reject) => {
      const req = httpRequest(base + path, { agent, headers }, res => {
        sockets.add(res.socket)
        res.resume()
        res.on('end', () => resolve(String(res.headers['x-request-id'])))
      })
      req.on('error', reject)
      req.end()
    }))
  }
  t.equal(sockets.size, 1, 'one connection served every request')
  return ids
}

t.test('request ids are UUIDs unless the app set genReqId, in every instance', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const apps = {
    a: Fastify({ disableRequestLogging: true }),
    b: Fastify({ disableRequestLogging: true }),
    header: Fastify({ disableRequestLogging: true, requestIdHeader: 'x-request-id' }),
    custom: Fastify({ disableRequestLogging: true, genReqId: () => `mine-${Math.random().toString(36).slice(2)}` }),
    customHeader: Fastify({ disableRequestLogging: true, requestIdHeader: 'x-request-id', genReqId: () => 'mine-h' })
  }
  const ids: Record<string, string> = {}
  for (const [name, app] of Object.entries(apps)) {
    await app.register(curatorLog, { logger })
    app.get('/:name', async () => 'ok')
    const base = await start(t, app)
    const r = await fetch(`${base}/${name}`)
    await r.text()
    ids[name] = r.headers.get('x-request-id')!
  }
  const upstream = await fetch(`${await start(t, (() => { const app = Fastify({ requestIdHeader: 'x-request-id' }); app.register(curatorLog, { logger }); app.get('/:name', async () => 'ok'); return app })())}/upstream`, { headers: { 'x-request-id': 'from-upstream' } })
  await upstream.text()
  await new Promise(resolve => logger.flush(resolve))
  await logger.close()
  const rows = (await client.query(`SELECT path, request_id FROM "${target.schema}".system_logs WHERE message LIKE 'request completed%'`)).rows
  const stored = Object.fromEntries(rows.map(r => [r.path.slice(1), r.request_id]))
  t.match(stored, { a: UUID, b: UUID, header: UUID, custom: /^mine-/, customHeader: 'mine-h', upstream: 'from-upstream' })
  t.not(stored.a, stored.b, 'two instances do not share ids')
  t.same(stored.a, ids.a, 'the id answered is the id stored')
})

t.test('loggerInstance: createLogger with Fastify\'s request logging on, keep-alive: every line under its own request, one completion line', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = Fastify({ loggerInstance: logger })
  await app.register(curatorLog, { logger })
  app.get('/r/:i', async request => {
    request.log.info('via request.log')
    logger.info('via the app logger')
    await new Promise(resolve => setTimeout(resolve, 5))
    request.log.info('after await')
    return 'ok'
  })
  const base = await start(t, app)
  const paths = ['/r/1', '/r/2', '/r/3', '/r/4', '/r/5']
  const ids = await keepAliveGets(t, base, paths)
  await new Promise(resolve => logger.flush(resolve))
  await app.close()
  await logger.close()
  const rows = (await client.query(`SELECT request_id, path, method, message, status_code, duration_ms, context FROM "${target.schema}".system_logs WHERE message NOT LIKE 'Server listening%' ORDER BY id`)).rows
  t.same(rows.filter(r => 'reqId' in r.context || 'responseTime' in r.context).map(r => r.message), [], 'Fastify\'s reqId and responseTime are in their columns, not repeated in context')
  for (const [n, id] of ids.entries()) {
    t.match(id, UUID)
    const mine = rows.filter(r => r.request_id === id)
    t.same(mine.map(r => r.message).sort(), ['after await', 'incoming request', 'request completed', 'via request.log', 'via the app logger'], `request ${n + 1}: each line once, one completion line`)
    t.ok(mine.every(r => r.path === paths[n] && r.method === 'GET'), `request ${n + 1}: its own path on every line`)
    t.match(mine.find(r => r.message === 'request completed'), { status_code: 200, duration_ms: Number }, 'the completion line has its status and time')
  }
  t.same(rows.filter(r => !ids.includes(r.request_id)), [], 'no line without its request')
})
