import { createServer } from 'node:http'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import curatorLog from '../lib/app/http/fastify.js'
import { requestContext } from '../lib/app/http/request-context.js'
import { freshTarget } from './support/db.js'
import { listen, sleep } from './support/http.js'
import { testLogger } from './support/logger.js'

// Without an OpenTelemetry SDK: the traceparent header alone gives each line of the request its trace.
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER = '00f067aa0ba902b7'
const HEADERS: Record<string, string | undefined> = {
  valid: `00-${TRACE}-${CALLER}-01`,
  unsampled: `00-${TRACE.replace('4b', '5c')}-${CALLER}-00`,
  'other version': `01-${TRACE}-${CALLER}-01`,
  'zero trace': `00-${'0'.repeat(32)}-${CALLER}-01`,
  'zero span': `00-${TRACE}-${'0'.repeat(16)}-01`,
  malformed: `00-${TRACE}-${CALLER}`,
  none: undefined
}
const EXPECTED: Record<string, [string, number] | undefined> = { valid: [TRACE, 1], unsampled: [TRACE.replace('4b', '5c'), 0] }

const SQL = (schema: string): string => `SELECT request_id, message, trace_id, span_id, trace_flags, context->>'parent_span_id' AS parent, context ? 'trace_id' AS leaked FROM "${schema}".system_logs ORDER BY id`

async function send (t: Test, base: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const [name, traceparent] of Object.entries(HEADERS)) {
    const r = await fetch(`${base}/work`, { headers: traceparent === undefined ? {} : { traceparent } })
    await r.text()
    ids.set(name, r.headers.get('x-request-id')!)
  }
  return ids
}

function check (t: Test, rows: Array<Record<string, any>>, ids: Map<string, string>, perRequest = ['request started', 'handler', 'request completed: GET /work']): void {
  for (const [name, id] of ids) {
    const mine = rows.filter(r => r.request_id === id)
    t.same(mine.map(r => r.message), perRequest, `${name}: the request's rows`)
    const want = EXPECTED[name]
    t.ok(mine.every(r => r.trace_id === (want?.[0] ?? null) && r.trace_flags === (want?.[1] ?? null) && r.span_id === null &&
      r.parent === (want ? CALLER : null) && r.leaked === false), `${name}: every row ${want ? 'carries the trace' : 'has no trace'}`, { rows: mine })
    t.not(id, want?.[0], `${name}: the request id is not the trace id`)
  }
}

t.test('node:http: a valid traceparent puts its trace id on every row of the request; others are ignored', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { level: 'debug' })
  const mw = requestContext({ logger })
  const server = createServer((req, res) => mw(req, res, async () => {
    await sleep(2)
    logger.info('handler')
    res.end('ok')
  }))
  const ids = await send(t, await listen(t, server))
  await logger.close()
  check(t, (await client.query(SQL(target.schema))).rows, ids)
})

t.test('requestIdFromTrace: the trace id becomes the request id, in the rows and the response header', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const mw = requestContext({ logger, requestIdFromTrace: true })
  const server = createServer((req, res) => mw(req, res, () => { logger.info('handler'); res.end('ok') }))
  const base = await listen(t, server)
  const traced = await fetch(base + '/', { headers: { traceparent: HEADERS.valid! } })
  const plain = await fetch(base + '/')
  await logger.close()
  t.equal(traced.headers.get('x-request-id'), TRACE)
  t.match(plain.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, 'no trace: a UUID as before')
  const rows = (await client.query(SQL(target.schema))).rows
  t.same(rows.filter(r => r.request_id === TRACE).map(r => r.trace_id), [TRACE, TRACE])
})

t.test('traceContext: false leaves the trace out', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const mw = requestContext({ logger, traceContext: false })
  const server = createServer((req, res) => mw(req, res, () => { logger.info('handler'); res.end('ok') }))
  await (await fetch(await listen(t, server), { headers: { traceparent: HEADERS.valid! } })).text()
  await logger.close()
  t.same((await client.query(SQL(target.schema))).rows.map(r => r.trace_id), [null, null])
})

/** Each request of `send` to a Fastify app with the plugin, and the rows its lines left. */
async function fastifyRows (t: Test, disableRequestLogging: boolean) {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { level: 'debug' })
  const app = Fastify({ loggerInstance: logger, disableRequestLogging })
  await app.register(curatorLog, { logger })
  app.get('/work', async request => { await sleep(2); request.log.info('handler'); return 'ok' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const ids = await send(t, `http://127.0.0.1:${(app.server.address() as { port: number }).port}`)
  await app.close()
  await logger.close()
  return { ids, rows: (await client.query(SQL(target.schema))).rows }
}

t.test('Fastify: the same rules through the plugin', async t => {
  const { ids, rows } = await fastifyRows(t, true)
  check(t, rows, ids)
})

t.test('Fastify with its request logging on: its own "incoming request" and "request completed" lines carry the trace too', async t => {
  const { ids, rows } = await fastifyRows(t, false)
  check(t, rows, ids, ['incoming request', 'request started', 'handler', 'request completed'])
})
