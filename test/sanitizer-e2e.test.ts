import t from 'tap'
import { once } from 'node:events'
import pino from 'pino'
import { SECRETS } from './support/secrets.js'
import { TRANSPORT, freshTarget, transportLogger } from './support/db.js'
import { testLogger } from './support/logger.js'

t.test('no planted secret reaches any column of system_logs', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  SECRETS.forEach(({ text }, i) => {
    const err = new Error(`failed for ${text}`)
    err.stack = `Error: failed for ${text}\n    at handler (/srv/app.js:1:1)`
    logger.error({
      seq: i,
      err,
      path: `/reset/${text}`,
      user_agent: `agent ${text}`,
      request_id: `req ${text}`,
      user_id: text,
      ip_address: text,
      method: text,
      nested: { deeper: [{ note: `see ${text} here` }], [text]: 'as a key' },
      password: 'hunter2-plain',
      apiKey: 'plain-key-value'
    }, `message with ${text} inside`)
  })
  await end()
  const r = await client.query(`SELECT row_to_json(l)::text AS j FROM "${target.schema}".system_logs l`)
  t.equal(r.rowCount, SECRETS.length)
  for (const { core } of SECRETS) {
    const leaks = r.rows.filter(x => x.j.includes(core) || x.j.includes(JSON.stringify(core).slice(1, -1)))
    t.equal(leaks.length, 0, `${core.slice(0, 12)}… appears nowhere`)
  }
  t.notOk(r.rows.some(x => x.j.includes('hunter2-plain') || x.j.includes('plain-key-value')), 'sensitive keys redacted')
})

t.test('pino redact paths stay available on the app thread', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { redact: ['order.card'] } })
  logger.info({ order: { card: '4111 1111 1111 1111', id: 7 } }, 'paid')
  await logger.close()
  const r = await client.query(`SELECT context FROM "${target.schema}".system_logs`)
  t.same(r.rows[0].context, { order: { card: '[Redacted]', id: 7 } })
})

t.test('custom rules travel to the worker as data', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, { sanitize: { patterns: ['\\bORD-\\d{6}\\b'], allowKeys: ['cache_key'], sensitiveKeys: ['tenant'] } })
  logger.info({ cache_key: 'users:1', tenant_name: 'acme' }, 'order ORD-123456 shipped')
  await end()
  const r = await client.query(`SELECT message, context FROM "${target.schema}".system_logs`)
  t.same(r.rows[0], { message: 'order [REDACTED] shipped', context: { cache_key: 'users:1', tenant_name: '[REDACTED]' } })
})

t.test('a column name made sensitive: its value in the column stays, the same key in context is redacted', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, { sanitize: { sensitiveKeys: ['path'] } })
  logger.info({ path: '/orders/7' }, 'plain path')
  logger.info({ path: { route: '/orders/:id' } }, 'nested path')
  await end()
  const r = await client.query(`SELECT message, path, context FROM "${target.schema}".system_logs ORDER BY id`)
  t.same(r.rows, [
    { message: 'plain path', path: '/orders/7', context: {} },
    { message: 'nested path', path: null, context: { path: '[REDACTED]' } }
  ])
})

t.test('an invalid pattern is a clear error when the transport starts', async t => {
  const stream = pino.transport({ target: TRANSPORT, options: { sanitize: { patterns: ['([unclosed'] }, spillDir: false } })
  const [err] = await once(stream, 'error')
  t.match(err.message, /sanitize\.patterns\[0\] is not a valid regular expression/)
})
