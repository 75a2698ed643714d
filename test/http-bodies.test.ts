import { createServer } from 'node:http'
import express from 'express'
import Fastify from 'fastify'
import t from 'tap'
import curatorLog from '../lib/app/http/fastify.js'
import { requestContext } from '../lib/app/http/request-context.js'
import { freshTarget } from './support/db.js'
import { listen } from './support/http.js'
import { testLogger } from './support/logger.js'

const SECRET = { user: 'ada', password: 'hunter2-plain', nested: { access_token: 'at-9f8e7d6c5b4a' } }

t.test('Express: request and response bodies reach the sanitizer as structure, capped by maxBodySize', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = express()
  app.use(requestContext({ logger, logRequestBody: true, logResponseBody: true, maxBodySize: 300 }))
  app.use(express.json(), express.urlencoded({ extended: false }), express.text())
  app.post('/json', (_req, res) => { res.json({ access_token: 'issued-token-value', scope: 'read', expires_in: 3600 }) })
  app.post('/form', (_req, res) => { res.type('text/plain').send('ok') })
  app.post('/text', (_req, res) => { res.type('application/octet-stream').send(Buffer.from([0, 1, 2, 3])) })
  app.post('/big', (_req, res) => { res.json({ ok: true }) })
  const server = app.listen(0, '127.0.0.1')
  const base = await listen(t, server)

  const post = async (path: string, type: string, body: string) => (await fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body })).text()
  await post('/json', 'application/json', JSON.stringify(SECRET))
  await post('/form', 'application/x-www-form-urlencoded', 'user=ada&password=hunter2-form&client_secret=cs-123456')
  await post('/text', 'text/plain', 'login with Bearer abcdefghijklmnopqrstu please')
  const big = { password: 'hunter2-big', items: Array.from({ length: 200 }, (_, i) => ({ i, note: 'x'.repeat(20) })) }
  await post('/big', 'application/json', JSON.stringify(big))
  await new Promise(resolve => logger.flush(resolve))
  await logger.close()

  const body = async (path: string) => (await client.query(`SELECT context FROM "${target.schema}".system_logs WHERE path = $1 AND message LIKE 'request completed%'`, [path])).rows[0].context
  const json = await body('/json')
  t.same(json.request_body, { user: 'ada', password: '[REDACTED]', nested: { access_token: '[REDACTED]' } })
  t.same(json.response_body, { access_token: '[REDACTED]', scope: 'read', expires_in: 3600 })
  const form = await body('/form')
  t.same(form.request_body, { user: 'ada', password: '[REDACTED]', client_secret: '[REDACTED]' })
  t.equal(form.response_body, 'ok')
  const text = await body('/text')
  t.equal(text.request_body, 'login with Bearer [REDACTED] please', 'text bodies take the value rules')
  t.equal(text.response_body, '[application/octet-stream 4 bytes]', 'binary bodies are counted, not decoded')
  const capped = await body('/big')
  t.equal(capped.request_body.password, '[REDACTED]')
  t.ok(capped.request_body.items.length < 200 && /^\[TRUNCATED \d+ items\]$/.test(capped.request_body.items.at(-1)), 'cut item by item, still JSON')
  t.ok(JSON.stringify(capped.request_body).length < 600, 'about maxBodySize characters')
  const all = JSON.stringify((await client.query(`SELECT context FROM "${target.schema}".system_logs`)).rows)
  t.notMatch(all, /hunter2|at-9f8e7d6c5b4a|issued-token-value|cs-123456/, 'no secret anywhere in the table')
})

t.test('node:http: a body the app parsed itself, and a JSON response written in pieces', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const mw = requestContext({ logger, logRequestBody: true, logResponseBody: true })
  const server = createServer((req, res) => mw(req, res, async () => {
    let text = ''
    for await (const chunk of req) text += chunk
    ;(req as unknown as { body: unknown }).body = JSON.parse(text)
    res.setHeader('content-type', 'application/json; charset=utf-8')
    res.write('{"refresh_token":"rt-')
    res.end('abcdef","ok":true}')
  }))
  const base = await listen(t, server)
  await (await fetch(base + '/login', { method: 'POST', body: JSON.stringify(SECRET) })).text()
  await new Promise(resolve => logger.flush(resolve))
  await logger.close()
  const row = (await client.query(`SELECT context FROM "${target.schema}".system_logs WHERE message LIKE 'request completed%'`)).rows[0]
  t.same(row.context.request_body, { user: 'ada', password: '[REDACTED]', nested: { access_token: '[REDACTED]' } })
  t.same(row.context.response_body, { refresh_token: '[REDACTED]', ok: true })
})

t.test('Fastify: the parsed request body is logged as structure', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = Fastify()
  await app.register(curatorLog, { logger, logRequestBody: true })
  app.post('/login', async () => ({ ok: true }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  await (await fetch(base + '/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SECRET) })).text()
  await new Promise(resolve => logger.flush(resolve))
  await app.close()
  await logger.close()
  const row = (await client.query(`SELECT context FROM "${target.schema}".system_logs WHERE message LIKE 'request completed%'`)).rows[0]
  t.same(row.context.request_body, { user: 'ada', password: '[REDACTED]', nested: { access_token: '[REDACTED]' } })
})

t.test('Express: text bodies holding key=value pairs and JSON with arrays lose every value, the JSON stays JSON', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const app = express()
  app.use(requestContext({ logger, logRequestBody: true, logResponseBody: true }))
  app.use(express.text())
  app.post('/text', (_req, res) => { res.type('text/plain').send('{"cvv":"123","ssn":"078051120","password":["Hunter2Arr"]}') })
  const base = await listen(t, app.listen(0, '127.0.0.1'))
  await (await fetch(base + '/text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'cvv=777&pin_code=4321&{"password":["TextPwArr"]}' })).text()
  await new Promise(resolve => logger.flush(resolve))
  await logger.close()
  const row = (await client.query(`SELECT context FROM "${target.schema}".system_logs WHERE message LIKE 'request completed%'`)).rows[0]
  t.equal(row.context.request_body, 'cvv=[REDACTED]&pin_code=[REDACTED]&{"password":"[REDACTED]"}')
  t.same(JSON.parse(row.context.response_body), { cvv: '[REDACTED]', ssn: '[REDACTED]', password: '[REDACTED]' })
  // Without the columns that hold random digits (a request id 58397779-... matched 777 once).
  const all = JSON.stringify((await client.query(`SELECT to_jsonb(l) - 'id' - 'request_id' - 'timestamp' - 'duration_ms' - 'pid' AS r FROM "${target.schema}".system_logs l`)).rows)
  t.notMatch(all, /777|4321|078051120|Hunter2Arr|TextPwArr|"cvv\\?":\\?"123/, 'no value anywhere in the table')
})
