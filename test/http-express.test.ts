import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import express from 'express'
import t, { type Test } from 'tap'
import { bindUser } from '../lib/app/context.js'
import { requestContext, requestErrorHandler } from '../lib/app/http/request-context.js'
import { freshTarget } from './support/db.js'
import { sleep } from './support/http.js'
import { concurrentRequests } from './support/http-load.js'
import { testLogger } from './support/logger.js'

async function serve (t: Test, app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('Express: 1 000 concurrent requests, users, bodies, errors', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = express()
  app.use(requestContext({ logger, logRequestBody: true, logHeaders: true, startLevel: 'info', excludePaths: ['/health'] }))
  app.use(express.json())
  app.use((req, _res, next) => { if (req.headers['x-user']) bindUser({ id: String(req.headers['x-user']), username: 'grace' }); next() })
  app.get('/work/:i', async (req, res) => {
    const i = Number(req.params.i)
    logger.info({ i }, 'handler start')
    await sleep(Math.random() * 20)
    logger.info({ i }, 'handler end')
    res.send(String(i))
  })
  app.post('/orders', (req, res) => { logger.info('order received'); res.status(201).json({ id: 1 }) })
  app.get('/async-fail', async () => { await sleep(1); throw new Error('async failure') })
  app.use(requestErrorHandler({ logger }))
  const base = await serve(t, app)

  const orders = await fetch(base + '/orders', { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'u-9', authorization: 'Bearer supersecrettoken123' }, body: JSON.stringify({ item: 'book', qty: 2 }) })
  t.equal(orders.status, 201)
  const failed = await fetch(base + '/async-fail')
  t.equal(failed.status, 500)
  const body = await failed.json() as Record<string, unknown>
  t.match(body, { error_code: 'INTERNAL_SERVER_ERROR', request_id: failed.headers.get('x-request-id') })

  const rows = async (where: string, ...params: unknown[]) => (await client.query(`SELECT * FROM "${target.schema}".system_logs WHERE ${where} ORDER BY id`, params)).rows
  await new Promise<void>(resolve => logger.flush(() => resolve()))
  const orderRows = await rows("path = '/orders'")
  t.same(orderRows.map(r => r.message), ['request started', 'order received', 'request completed: POST /orders'])
  t.ok(orderRows.slice(1).every(r => r.user_id === 'u-9'), 'the bound user is on the rest of the request')
  t.match(orderRows[2], { status_code: 201, context: { request_body: { item: 'book', qty: 2 } } })
  t.equal(orderRows[0].context.headers.authorization, '[REDACTED]')
  const failRows = await rows('request_id = $1', body.request_id)
  t.match(failRows.find(r => r.level === 'error' && r.error_type === 'Error'), { error_message: 'async failure', stack_trace: /Error: async failure/ })
  t.match(failRows.find(r => r.message === 'request completed: GET /async-fail'), { level: 'error', status_code: 500 })

  await concurrentRequests(t, base, client, target, () => logger.close())
})

t.test('Express: a client error (a malformed JSON body) keeps its 4xx status; a server error is still 500', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = express()
  app.use(requestContext({ logger }))
  app.use(express.json())
  app.post('/orders', (_req, res) => { res.status(201).json({ id: 1 }) })
  app.get('/teapot', () => { throw Object.assign(new Error('short and stout'), { statusCode: 418, expose: true }) })
  app.get('/hidden', () => { throw Object.assign(new Error('internal detail'), { status: 503 }) })
  app.use(requestErrorHandler({ logger }))
  const base = await serve(t, app)

  const bad = await fetch(base + '/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":' })
  t.equal(bad.status, 400, 'body-parser\'s status')
  t.match(await bad.json(), { error_code: 'BAD_REQUEST', request_id: bad.headers.get('x-request-id') })
  const teapot = await fetch(base + '/teapot')
  t.equal(teapot.status, 418)
  t.match(await teapot.json(), { error_code: 'CLIENT_ERROR', message: 'short and stout' })
  const hidden = await fetch(base + '/hidden')
  t.equal(hidden.status, 503)
  const hiddenBody = await hidden.json() as Record<string, unknown>
  t.match(hiddenBody, { error_code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred' })
  t.notMatch(JSON.stringify(hiddenBody), /internal detail/, 'a server error\'s message is not sent')

  await new Promise<void>(resolve => logger.flush(() => resolve()))
  const got = (await client.query(`SELECT level, message, status_code, error_message FROM "${target.schema}".system_logs ORDER BY id`)).rows
  t.match(got.filter(r => r.message.startsWith('request completed')), [
    { level: 'warn', status_code: 400 }, { level: 'warn', status_code: 418 }, { level: 'error', status_code: 503 }
  ])
  t.match(got.filter(r => r.error_message !== null), [
    { level: 'warn', message: 'request failed with a client error', error_message: /JSON/ },
    { level: 'warn', message: 'request failed with a client error', error_message: 'short and stout' },
    { level: 'error', message: 'request failed with an unhandled error', error_message: 'internal detail' }
  ], 'the error itself is logged too, a client\'s at warn')
})
