import Fastify from 'fastify'
import t from 'tap'
import { bindUser } from '../lib/app/context.js'
import curatorLog from '../lib/app/http/fastify.js'
import { freshTarget } from './support/db.js'
import { sleep } from './support/http.js'
import { concurrentRequests } from './support/http-load.js'
import { testLogger } from './support/logger.js'

t.test('Fastify: its own request id and logger, 1 000 concurrent requests, errors as 500 JSON', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = Fastify({ loggerInstance: logger, disableRequestLogging: true, requestIdHeader: 'x-request-id' })
  await app.register(curatorLog, { logger, slowThresholdMs: 5000 })
  app.addHook('preHandler', async request => { if (request.headers['x-user']) bindUser({ user_id: String(request.headers['x-user']) }) })
  app.get('/work/:i', async request => {
    const i = Number((request.params as { i: string }).i)
    request.log.info({ i }, 'handler start')
    await sleep(Math.random() * 20)
    logger.info({ i }, 'handler end')
    return String(i)
  })
  app.get('/fail', async () => { await sleep(1); throw new Error('fastify failure') })
  app.get('/bad-input', async (_request, reply) => reply.code(400).send({ error: 'nope' }))
  app.get('/health', async () => { logger.info('healthy'); return 'ok' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

  const failed = await fetch(base + '/fail', { headers: { 'x-user': 'u-1' } })
  const body = await failed.json() as Record<string, unknown>
  t.equal(failed.status, 500)
  t.match(body, { error_code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred', request_id: failed.headers.get('x-request-id') })
  t.equal((await fetch(base + '/bad-input')).status, 400, '4xx replies are left alone')
  await (await fetch(base + '/health')).text()
  const trusted = await fetch(base + '/health', { headers: { 'x-request-id': 'from-upstream-1' } })
  t.equal(trusted.headers.get('x-request-id'), 'from-upstream-1', 'Fastify\'s requestIdHeader decides')

  await concurrentRequests(t, base, client, target, async () => { await new Promise<void>(resolve => logger.flush(() => resolve())) })
  await app.close()
  await logger.close()
  const rows = async (where: string, ...p: unknown[]) => (await client.query(`SELECT * FROM "${target.schema}".system_logs WHERE ${where} ORDER BY id`, p)).rows
  const fail = await rows('request_id = $1', body.request_id)
  t.match(fail.find(r => r.message === 'request failed with an unhandled error'), { level: 'error', error_message: 'fastify failure', stack_trace: /Error: fastify failure/, user_id: 'u-1' })
  t.match(fail.find(r => r.message === 'request completed: GET /fail'), { level: 'error', status_code: 500, user_id: 'u-1' })
  t.match((await rows("path = '/bad-input'"))[0], { level: 'warn', status_code: 400 })
  const health = await rows("path = '/health'")
  t.same(health.map(r => r.message), ['healthy', 'healthy'], 'excluded path: context, but no request lines')
  // Fastify's reqId equals the request_id there: the column keeps it, context does not repeat it.
  t.ok((await rows("message = 'handler start'")).every(r => typeof r.request_id === 'string' && !('reqId' in r.context)), 'request.log lines carry Fastify\'s reqId, in the request_id column')
})

t.test('the plugin needs a logger', async t => {
  const app = Fastify()
  app.register(curatorLog, {} as never)
  await t.rejects(async () => { await app.ready() }, /needs a logger/)
})
