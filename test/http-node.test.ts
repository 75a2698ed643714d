import { createServer } from 'node:http'
import t from 'tap'
import { bindUser, runWithContext } from '../lib/app/context.js'
import { requestContext, requestErrorHandler } from '../lib/app/http/request-context.js'
import { freshTarget } from './support/db.js'
import { listen, sleep } from './support/http.js'
import { testLogger } from './support/logger.js'

t.test('1 000 concurrent requests on node:http: each request\'s rows share its own request_id and no other', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const mw = requestContext({ logger })
  const server = createServer((req, res) => mw(req, res, async () => {
    const i = Number(new URL(req.url!, 'http://x').searchParams.get('i'))
    logger.info({ i }, 'handler start')
    await sleep(Math.random() * 20)
    setTimeout(() => {
      logger.info({ i }, 'handler end')
      res.end(String(i))
    }, Math.random() * 5)
  }))
  const base = await listen(t, server)
  const responses = await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
    const r = await fetch(`${base}/work/${i}?i=${i}&secret=x`)
    return { i, id: r.headers.get('x-request-id')!, time: r.headers.get('x-processing-time'), body: await r.text() }
  }))
  await logger.close()
  t.ok(responses.every(r => /^[0-9a-f-]{36}$/.test(r.id) && /^\d+\.\dms$/.test(r.time!) && r.body === String(r.i)), 'X-Request-ID and X-Processing-Time on every response')
  t.equal(new Set(responses.map(r => r.id)).size, 1000, 'ids are unique')
  const rows = await client.query(`SELECT request_id, message, path, method, status_code, duration_ms, ip_address, (context->>'i')::int AS i FROM "${target.schema}".system_logs`)
  const byId = new Map<string, typeof rows.rows>()
  for (const r of rows.rows) byId.set(r.request_id, [...(byId.get(r.request_id) ?? []), r])
  let bad = 0
  for (const { i, id } of responses) {
    const mine = byId.get(id) ?? []
    const ok = mine.length === 3 &&
      mine.filter(r => r.message.startsWith('handler')).every(r => r.i === i) &&
      mine.some(r => r.message === `request completed: GET /work/${i}` && r.status_code === 200 && r.duration_ms > 0) &&
      mine.every(r => r.path === `/work/${i}` && r.method === 'GET' && r.ip_address === '127.0.0.1')
    if (!ok && bad++ < 3) t.fail(`request ${i}`, { rows: mine })
  }
  t.equal(bad, 0, 'every request has exactly its three rows, all with its request_id, path and client')
  t.equal(rows.rowCount, 3000, 'and no row belongs to no request')
})

t.test('inside an outer context the request keeps its fields and adds its own, without changing the outer one', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const mw = requestContext({ logger })
  const outer = { tenant: 'acme', request_id: 'outer' }
  const server = createServer((req, res) => runWithContext(outer, () => mw(req, res, () => {
    logger.info('in handler')
    res.end('ok')
  })))
  const base = await listen(t, server)
  const r = await fetch(`${base}/nested`)
  await r.text()
  await logger.close()
  const got = await client.query(`SELECT message, request_id, path, context->>'tenant' AS tenant FROM "${target.schema}".system_logs ORDER BY id`)
  t.equal(got.rowCount, 2)
  t.ok(got.rows.every(x => x.request_id === r.headers.get('x-request-id') && x.tenant === 'acme' && x.path === '/nested'), 'the request id replaces the outer one; the outer tenant stays')
  t.same(outer, { tenant: 'acme', request_id: 'outer' }, 'the outer context object is untouched')
})

t.test('levels, slow requests, exclusions, aborts, users and incoming ids', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: { maxPerSecond: 1 } })
  // A threshold a fast request stays under on a loaded machine (at a load of 17 on two cores /login took over 50 ms).
  const SLOW_MS = 1000
  const mw = requestContext({ logger, slowThresholdMs: SLOW_MS, trustRequestId: true, startLevel: 'info' })
  const server = createServer((req, res) => mw(req, res, async () => {
    if (req.url === '/login') bindUser({ user_id: 42, username: 'ada' })
    if (req.url === '/health') logger.info('health check ran')
    if (req.url === '/slow') await sleep(SLOW_MS + 30)
    if (req.url === '/hang') return
    res.statusCode = req.url === '/missing' ? 404 : req.url === '/broken' ? 503 : 200
    res.end('x')
  }))
  const base = await listen(t, server)
  for (const path of ['/login', '/health', '/slow', '/missing', '/broken']) await (await fetch(base + path)).text()
  for (let i = 0; i < 20; i++) await (await fetch(base + '/repeat')).text()
  const trusted = await fetch(base + '/login', { headers: { 'x-request-id': 'upstream-abc.123' } })
  const unsafe = await fetch(base + '/login', { headers: { 'x-request-id': 'bad id; DROP TABLE' } })
  t.equal(trusted.headers.get('x-request-id'), 'upstream-abc.123')
  t.match(unsafe.headers.get('x-request-id'), /^[0-9a-f-]{36}$/)
  const ac = new AbortController()
  const hanging = fetch(base + '/hang', { signal: ac.signal }).catch(() => 'aborted')
  await sleep(100)
  ac.abort()
  t.equal(await hanging, 'aborted')
  await sleep(100)
  await logger.close()
  const rows = (await client.query(`SELECT level, message, path, status_code, user_id, request_id, context FROM "${target.schema}".system_logs ORDER BY id`)).rows
  const completed = (p: string) => rows.find(r => r.message === `request completed: GET ${p}`)
  t.match(completed('/login'), { level: 'info', status_code: 200, user_id: '42', context: { username: 'ada' } })
  t.match(completed('/slow'), { level: 'warn', status_code: 200 })
  t.match(completed('/missing'), { level: 'warn', status_code: 404 })
  t.match(completed('/broken'), { level: 'error', status_code: 503 })
  t.equal(completed('/health'), undefined, 'no request lines for an excluded path')
  t.equal(rows.filter(r => r.message === 'request completed: GET /repeat').length, 20, 'request lines are never rate limited')
  t.match(rows.find(r => r.message === 'health check ran'), { path: '/health', request_id: /^[0-9a-f-]{36}$/ }, 'but it has context')
  t.ok(rows.some(r => r.message === 'request started' && r.path === '/slow'), 'start lines at the configured level')
  t.ok(rows.some(r => r.request_id === 'upstream-abc.123'))
  t.match(rows.find(r => r.message === 'request aborted by the client: GET /hang'), { level: 'warn', path: '/hang' })
})

t.test('X-Forwarded-For: ignored unless trusted, then read only as far as the trusted proxies', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const servers = { none: requestContext({ logger }), hops: requestContext({ logger, trustProxy: 1 }), list: requestContext({ logger, trustProxy: ['127.0.0.1'] }) }
  for (const [name, mw] of Object.entries(servers)) {
    const base = await listen(t, createServer((req, res) => mw(req, res, () => res.end())))
    await (await fetch(`${base}/${name}`, { headers: { 'x-forwarded-for': '1.2.3.4, 6.6.6.6' } })).text()
  }
  await logger.close()
  const ip = async (p: string) => (await client.query(`SELECT ip_address FROM "${target.schema}".system_logs WHERE path = $1`, [p])).rows[0].ip_address
  t.equal(await ip('/none'), '127.0.0.1', 'spoofed header ignored')
  t.equal(await ip('/hops'), '6.6.6.6', 'one trusted hop: the address it saw')
  t.equal(await ip('/list'), '6.6.6.6', 'trusted proxy list: the spoofed first entry is not believed')
})

t.test('an unhandled error: stack logged, 500 JSON with the request id', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const mw = requestContext({ logger, logHeaders: true, logQuery: true, logResponseBody: true })
  const onError = requestErrorHandler({ logger })
  const server = createServer((req, res) => mw(req, res, () => {
    try {
      if (req.url!.startsWith('/boom')) throw new RangeError('exploded')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ ok: true }))
    } catch (err) { onError(err, req, res) }
  }))
  const base = await listen(t, server)
  const r = await fetch(base + '/boom?x=1', { headers: { authorization: 'Bearer abcdefghijklmnop', cookie: 'sid=1' } })
  const body = await r.json() as Record<string, string>
  t.equal(r.status, 500)
  t.match(body, { error_code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred', request_id: r.headers.get('x-request-id'), timestamp: /^\d{4}-/ })
  await (await fetch(base + '/fine')).text()
  await logger.close()
  const rows = (await client.query(`SELECT level, message, request_id, error_type, stack_trace, context FROM "${target.schema}".system_logs ORDER BY id`)).rows
  t.match(rows.find(x => x.message === 'request failed with an unhandled error'), { level: 'error', request_id: body.request_id, error_type: 'RangeError', stack_trace: /RangeError: exploded\n\s+at /s })
  const started = rows.find(x => x.message === 'request started' && x.request_id === body.request_id)
  t.equal(started, undefined, 'start lines are debug by default')
  const fine = rows.find(x => x.message === 'request completed: GET /fine')
  t.same(fine.context.response_body, { ok: true })
  t.throws(() => requestContext({} as never), /needs a logger/)
})
