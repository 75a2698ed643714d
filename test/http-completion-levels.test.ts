// The completion line of a request is at info for a 2xx, warn for a 4xx and error for a 5xx
// (docs/api.md), whichever integration writes it.
import { once } from 'node:events'
import { createServer } from 'node:http'
import express from 'express'
import Fastify, { type FastifyInstance } from 'fastify'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import t from 'tap'
import curatorLog from '../lib/app/http/fastify.js'
import { pinoHttpLogLevel, requestContext, requestErrorHandler } from '../lib/app/http/request-context.js'
import { TRANSPORT, databaseUrl, endStream, freshTarget } from './support/db.js'
import { listen } from './support/http.js'
import { flushed, testLogger } from './support/logger.js'

type App = Pick<FastifyInstance, 'listen' | 'server' | 'get'> & { close (): PromiseLike<unknown>, register: (...args: any[]) => PromiseLike<unknown> }

const EXPECTED = { ok: 'info', missing: 'warn', boom: 'error' } as const

t.test('every integration writes one completion line a request, at info for 200, warn for 404, error for 500', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const bases: Record<string, string> = {}

  const mw = requestContext({ logger })
  bases['node-http'] = await listen(t, createServer((req, res) => mw(req, res, () => {
    res.statusCode = req.url!.endsWith('/ok') ? 200 : req.url!.endsWith('/boom') ? 500 : 404
    res.end()
  })))

  const app = express()
  app.use(requestContext({ logger }))
  app.get('/express/ok', (_req, res) => { res.send('ok') })
  app.get('/express/boom', () => { throw new Error('boom') })
  app.use(requestErrorHandler({ logger }))
  bases.express = await listen(t, createServer(app))

  const http = pinoHttp({ logger, customLogLevel: pinoHttpLogLevel })
  bases['pino-http'] = await listen(t, createServer((req, res) => {
    http(req, res)
    res.statusCode = req.url!.endsWith('/ok') ? 200 : req.url!.endsWith('/boom') ? 500 : 404
    res.end()
  }))

  // Fastify's logger given as pino options, writing to curator-log/transport, and the plugin on it.
  const ownLogger = Fastify({ logger: { transport: { target: TRANSPORT, options: { connectionString: databaseUrl(), schema: target.schema, spillDir: false } } } })
  const stream = (ownLogger.log as unknown as Record<symbol, any>)[pino.symbols.streamSym]
  await once(stream, 'ready')
  const fastifies: Array<[string, App, pino.Logger]> = [
    ['fastify-plugin', Fastify({ disableRequestLogging: true }) as unknown as App, logger],
    ['fastify-logger-options', ownLogger as unknown as App, ownLogger.log as pino.Logger],
    ['fastify-logger-instance', Fastify({ loggerInstance: logger }) as unknown as App, logger]
  ]
  for (const [name, fastify, log] of fastifies) {
    await fastify.register(curatorLog, { logger: log })
    fastify.get(`/${name}/ok`, async () => 'ok')
    fastify.get(`/${name}/boom`, async () => { throw new Error('boom') })
    await fastify.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => fastify.close())
    bases[name] = `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`
  }

  const sent: Array<{ name: string, what: keyof typeof EXPECTED, status: number, id: string | null }> = []
  for (const [name, base] of Object.entries(bases)) {
    for (const [what, status] of [['ok', 200], ['missing', 404], ['boom', 500]] as const) {
      const r = await fetch(`${base}/${name}/${what}`)
      await r.arrayBuffer()
      t.equal(r.status, status, `${name}/${what} answered ${status}`)
      sent.push({ name, what, status, id: r.headers.get('x-request-id') })
    }
  }
  await flushed(logger)
  await ownLogger.close()
  await endStream(stream)
  // pino-http's completion line of a 5xx is "request errored".
  const rows = (await client.query(`SELECT request_id, path, status_code, level FROM "${target.schema}".system_logs WHERE message LIKE 'request completed%' OR message = 'request errored'`)).rows
  // By request id where the response had one (pino-http sends none), else by path.
  const lineOf = (s: typeof sent[number]): string[] => rows.filter(r => s.id === null ? r.path === `/${s.name}/${s.what}` : r.request_id === s.id).map(r => `${r.status_code} ${r.level}`)
  t.same(sent.map(s => [s.name, s.what, lineOf(s)]), sent.map(s => [s.name, s.what, [`${s.status} ${EXPECTED[s.what]}`]]), 'one completion line a request, at its level')
  t.equal(rows.length, sent.length, 'no other completion line')
})

t.test('with loggerInstance, a later hook\'s reply.log.child() keeps its own fields on a 404 and a 500 too', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const fastify = Fastify({ loggerInstance: logger })
  await fastify.register(curatorLog, { logger })
  fastify.addHook('onResponse', async (_request, reply) => {
    reply.log.child({ audit_step: 'after-response', status_seen: reply.statusCode }).info('audit line')
  })
  fastify.get('/ok', async () => 'ok')
  fastify.get('/boom', async () => { throw new Error('boom') })
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => fastify.close())
  const base = `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`
  for (const path of ['/ok', '/missing', '/boom']) await (await fetch(base + path)).arrayBuffer()
  await flushed(logger)
  const audit = (await client.query(`SELECT context->>'audit_step' AS step, context->>'status_seen' AS status FROM "${target.schema}".system_logs WHERE message = 'audit line' ORDER BY id`)).rows
  t.same(audit, [{ step: 'after-response', status: '200' }, { step: 'after-response', status: '404' }, { step: 'after-response', status: '500' }])
})

t.test('Fastify\'s and pino-http\'s request lines are never rate limited', async t => {
  const { target, client } = await freshTarget(t)
  // The default limit: 100 lines/s per level and message.
  const logger = await testLogger(t, target)
  const fastify = Fastify({ loggerInstance: logger })
  await fastify.register(curatorLog, { logger })
  fastify.get('/fastify/ok', async () => 'ok')
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => fastify.close())
  const http = pinoHttp({ logger, customLogLevel: pinoHttpLogLevel })
  const pinoHttpBase = await listen(t, createServer((req, res) => {
    http(req, res)
    res.statusCode = req.url!.endsWith('/ok') ? 200 : 404
    res.end()
  }))
  const bases = { fastify: `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`, 'pino-http': pinoHttpBase }
  const N = 250
  for (const [name, base] of Object.entries(bases)) {
    for (const what of ['ok', 'missing']) {
      await Promise.all(Array.from({ length: N }, async () => { await (await fetch(`${base}/${name}/${what}`)).arrayBuffer() }))
    }
  }
  await flushed(logger)
  const counts = (await client.query(`SELECT path, count(*)::int AS n FROM "${target.schema}".system_logs
    WHERE message LIKE 'request completed%' OR message = 'request errored' GROUP BY path ORDER BY path`)).rows
  t.same(counts, [{ path: '/fastify/missing', n: N }, { path: '/fastify/ok', n: N }, { path: '/pino-http/missing', n: N }, { path: '/pino-http/ok', n: N }])
})

t.test('a request the client aborts is logged at warn by every integration, pino-http\'s "request aborted" too', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const hang = (res: { once (e: 'close', f: () => void): unknown }): Promise<void> => new Promise(resolve => res.once('close', resolve))
  const mw = requestContext({ logger })
  // With a "request received" line too, which pino-http writes at the level customLogLevel gives.
  const http = pinoHttp({ logger, customLogLevel: pinoHttpLogLevel, customReceivedMessage: () => 'request received' })
  const fastify = Fastify()
  await fastify.register(curatorLog, { logger })
  fastify.get('/fastify/hang', async (_request, reply) => { await hang(reply.raw) })
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => fastify.close())
  const bases = {
    // No answer: the handlers leave the response open.
    'node-http': await listen(t, createServer((req, res) => mw(req, res, () => {}))),
    'pino-http': await listen(t, createServer((req, res) => { http(req, res) })),
    fastify: `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`
  }
  for (const [name, base] of Object.entries(bases)) {
    const ac = new AbortController()
    const aborted = fetch(`${base}/${name}/hang`, { signal: ac.signal }).catch(() => 'aborted')
    await new Promise(resolve => setTimeout(resolve, 200))
    ac.abort()
    t.equal(await aborted, 'aborted')
  }
  await new Promise(resolve => setTimeout(resolve, 200))
  await flushed(logger)
  const rows = (await client.query(`SELECT message, level FROM "${target.schema}".system_logs WHERE message LIKE 'request aborted%' OR message = 'request received' ORDER BY id`)).rows
  t.same(rows, [
    { message: 'request aborted by the client: GET /node-http/hang', level: 'warn' },
    { message: 'request received', level: 'info' },
    { message: 'request aborted', level: 'warn' },
    { message: 'request aborted by the client: GET /fastify/hang', level: 'warn' }
  ])
})

t.test('an unknown route under Fastify\'s own logger: its "not found" and completion lines carry the method and path', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const ownLogger = Fastify({ logger: { transport: { target: TRANSPORT, options: { connectionString: databaseUrl(), schema: target.schema, spillDir: false } } } })
  const stream = (ownLogger.log as unknown as Record<symbol, any>)[pino.symbols.streamSym]
  await once(stream, 'ready')
  const fastifies: Array<[string, App, pino.Logger]> = [
    ['logger-options', ownLogger as unknown as App, ownLogger.log as pino.Logger],
    ['logger-instance', Fastify({ loggerInstance: logger }) as unknown as App, logger]
  ]
  const ids: string[] = []
  for (const [name, fastify, log] of fastifies) {
    await fastify.register(curatorLog, { logger: log })
    await fastify.listen({ port: 0, host: '127.0.0.1' })
    t.teardown(() => fastify.close())
    const r = await fetch(`http://127.0.0.1:${(fastify.server.address() as { port: number }).port}/${name}/nope?q=1`)
    await r.arrayBuffer()
    t.equal(r.status, 404)
    ids.push(r.headers.get('x-request-id')!)
  }
  await flushed(logger)
  await ownLogger.close()
  await endStream(stream)
  const rows = (await client.query(`SELECT request_id, message, method, path FROM "${target.schema}".system_logs WHERE request_id = ANY($1) ORDER BY id`, [ids])).rows
  const expected = (name: string, id: string) => ['incoming request', `Route GET:/${name}/nope?q=1 not found`, 'request completed'].map(message => ({ request_id: id, message, method: 'GET', path: `/${name}/nope` }))
  const of = (id: string) => rows.filter(r => r.request_id === id && r.message !== 'request started')
  t.same(of(ids[0]), expected('logger-options', ids[0]))
  t.same(of(ids[1]), expected('logger-instance', ids[1]))
})
