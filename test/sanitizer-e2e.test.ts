import t from 'tap'
import { MORE_SECRETS, ORDINARY_VALUES, REVIEW_SECRETS, SECRETS } from './support/secrets.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'
import { createLogger } from '../lib/app/create-logger.js'
import type { CreateLoggerOptions } from '../lib/app/logger-config.js'
import type { LogTarget } from '../lib/core/identifiers.js'
import type { SanitizerOptions } from '../lib/sanitizer/sanitizer.js'
import { testLogger } from './support/logger.js'

const PLANTED = [...SECRETS, ...MORE_SECRETS, ...REVIEW_SECRETS]

t.test('no planted secret reaches any column of system_logs', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  PLANTED.forEach(({ text }, i) => {
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
  t.equal(r.rowCount, PLANTED.length)
  for (const { core } of PLANTED) {
    const leaks = r.rows.filter(x => x.j.includes(core) || x.j.includes(JSON.stringify(core).slice(1, -1)))
    t.equal(leaks.length, 0, `${core.slice(0, 12)}… appears nowhere`)
  }
  t.notOk(r.rows.some(x => x.j.includes('hunter2-plain') || x.j.includes('plain-key-value')), 'sensitive keys redacted')
})

t.test('keys that name credentials and the bytes of binary values never reach the table', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  logger.info({
    cookie: 'sid=Cookie1Value',
    'set-cookie': ['session=Cookie2Value; HttpOnly'],
    auth: 'Auth3Value',
    pass: 'Pass4Value',
    headers: { Cookie: 'a=Cookie5Value', 'X-Auth': 'Auth6Value' },
    db_pass: 'Pass7Value',
    userPin: '8642',
    bytes: Buffer.from('Bytes8Value'),
    nested: { raw: Buffer.from([83, 69, 67, 82, 69, 84]) }
  }, 'credentials by key')
  await end()
  // Without the columns that hold the process's or the clock's digits ('8642' could be in a pid).
  const r = await client.query(`SELECT (to_jsonb(l) - 'id' - 'timestamp' - 'pid')::text AS j, context FROM "${target.schema}".system_logs l`)
  const row = r.rows[0].j as string
  for (const value of ['Cookie1Value', 'Cookie2Value', 'Auth3Value', 'Pass4Value', 'Cookie5Value', 'Auth6Value', 'Pass7Value', '8642']) {
    t.notOk(row.includes(value), `${value} redacted`)
  }
  t.equal(r.rows[0].context.bytes, '[Buffer 11 bytes]', 'a Buffer is shown by its length')
  t.equal(r.rows[0].context.nested.raw, '[Buffer 6 bytes]')
  t.notOk(row.includes('"0":'), 'no byte of it is stored')
})

t.test('ordinary values survive every rule: ids, hashes, UUIDs, trace ids, versions, times, addresses', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  ORDINARY_VALUES.forEach((value, i) => logger.info({ seq: i, note: value, ip_address: /^[0-9a-f.:]+$/.test(value) ? value : undefined }, value))
  await end()
  const r = await client.query(`SELECT message, ip_address, context FROM "${target.schema}".system_logs ORDER BY (context->>'seq')::int`)
  const changed = r.rows.filter((row, i) => row.message !== ORDINARY_VALUES[i] || row.context.note !== ORDINARY_VALUES[i])
  t.comment(`false positives: ${changed.length} of ${ORDINARY_VALUES.length} ordinary values changed`)
  t.same(changed.map(row => row.message), [], 'none changed')
  t.ok(r.rows.some(row => row.ip_address === '10.0.1.7'), 'addresses stay in ip_address')
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

/** createLogger's options for the target with these sanitizer rules (createLogger is called synchronously: it must throw). */
function withRules (target: LogTarget, sanitize: SanitizerOptions): CreateLoggerOptions {
  return { console: false, handleSignals: false, handleExceptions: false, env: {}, database: { connectionString: databaseUrl(), schema: target.schema, table: target.table, spillDir: false, sanitize } }
}

t.test('an invalid pattern: createLogger throws at once, naming the option', async t => {
  const { target } = await freshTarget(t, { migrate: false })
  for (const pattern of ['([unclosed', '(?=lookahead)x', 'a{2,1}']) {
    t.throws(() => createLogger(withRules(target, { patterns: ['ok', pattern] })), /database\.sanitize\.patterns\[1\] is not a valid regular expression/, pattern)
  }
  t.throws(() => createLogger(withRules(target, { maxDepth: 0 })), /database\.sanitize\.maxDepth must be a positive integer/)
})

t.test('an invalid pattern in the plain transport: reported once, the process lives, the other rules apply', async t => {
  const { target, client } = await freshTarget(t)
  const printed: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    printed.push(String(chunk))
    return write(chunk, ...rest)
  }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  let errors = 0
  const { logger, stream, end } = await transportLogger(t, target, { sanitize: { patterns: ['([unclosed', '\\bORD-\\d{6}\\b'] } })
  stream.on('error', () => errors++)
  logger.info({ password: 'hunter2' }, 'order ORD-123456 for jane@example.com')
  await end()
  const r = await client.query(`SELECT message, context FROM "${target.schema}".system_logs`)
  t.same(r.rows, [{ message: 'order [REDACTED] for [REDACTED_EMAIL]', context: { password: '[REDACTED]' } }])
  t.equal(errors, 0, 'no error event on the stream')
  const reports = printed.join('').split('\n').filter(l => l.includes('sanitize.patterns[0]'))
  t.equal(reports.length, 1, 'reported once on stderr')
  t.match(reports[0], /is not a valid regular expression/)
})

t.test('keys that sanitize alike keep every value: two emails as keys, two long keys with one 256-character prefix', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  const long = 'k'.repeat(300)
  // Nested (full parse) and at the top of the line, and a key already named as the others become.
  logger.info({ by: { 'jane@example.com': { orders: 3 }, 'joe@example.org': { orders: 5 } }, [long + 'a']: 'first', [long + 'b']: 'second' }, 'alike')
  await end()
  const [row] = (await client.query(`SELECT context FROM "${target.schema}".system_logs`)).rows
  const by = row.context.by as Record<string, unknown>
  t.same(Object.values(by).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [{ orders: 3 }, { orders: 5 }], 'both values kept')
  t.notOk(JSON.stringify(by).includes('@example'), 'no address in a key')
  const longKeys = Object.keys(row.context).filter(k => k.startsWith('kkkk'))
  t.equal(longKeys.length, 2, `two keys: ${longKeys.map(k => k.slice(250)).join(', ')}`)
  t.same(longKeys.map(k => row.context[k]).sort(), ['first', 'second'])
})
