import { EventEmitter, once } from 'node:events'
import t from 'tap'
import { bindContext, clearContext, runWithContext } from '../lib/app/context.js'
import { createLogger } from '../lib/app/create-logger.js'
import { planLogger } from '../lib/app/logger-config.js'
import { freshTarget, rows } from './support/db.js'
import { testLogger } from './support/logger.js'

t.test('context keys that are columns land in columns, the rest in context', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { name: 'api' })
  runWithContext({ request_id: 'req-1', user_id: 7, ip_address: '10.0.0.1', user_agent: 'ua', path: '/x', method: 'POST', tenant: 'acme' }, () => {
    logger.info({ order: 3 }, 'placed')
  })
  await logger.close()
  const [r] = await rows<Record<string, any>>(client, target)
  t.match(r, { logger: 'api', message: 'placed', request_id: 'req-1', user_id: '7', ip_address: '10.0.0.1', user_agent: 'ua', path: '/x', method: 'POST', context: { tenant: 'acme', order: 3 } })
})

for (const [mode, pinoOptions] of [['context first in the line', undefined], ['context through the mixin (serializers given)', { serializers: {} }]] as const) {
  t.test(`precedence: call arguments over bound fields over ambient context, ${mode}`, async t => {
    const { target, client } = await freshTarget(t)
    const logger = await testLogger(t, target, { pino: pinoOptions })
    runWithContext({ request_id: 'ambient', user_id: 'ambient', tenant: 'ambient' }, () => {
      const bound = logger.bind({ user_id: 'bound', tenant: 'bound' })
      bound.info('bound wins')
      bound.info({ tenant: 'call' }, 'call wins')
      logger.child({ request_id: 'child' }).info('child wins')
    })
    await logger.close()
    const got = await rows<Record<string, any>>(client, target)
    t.match(got[0], { request_id: 'ambient', user_id: 'bound', context: { tenant: 'bound' } })
    t.match(got[1], { user_id: 'bound', context: { tenant: 'call' } })
    t.match(got[2], { request_id: 'child', user_id: 'ambient' })
  })
}

t.test('with pino redact, the context goes through the mixin and is redacted like the call fields', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { redact: ['tenant', 'card'] } })
  runWithContext({ request_id: 'r-redact', tenant: 'acme' }, () => logger.info({ card: '4111' }, 'paid'))
  await logger.close()
  const [r] = await rows<Record<string, any>>(client, target)
  t.match(r, { request_id: 'r-redact', context: { tenant: '[Redacted]', card: '[Redacted]' } })
})

t.test('a context\'s first line and its later ones carry the same fields, also after the context changes', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  const cycle: Record<string, unknown> = { name: 'loop' }
  cycle.self = cycle
  runWithContext({ request_id: 'r1', tenant: 'a' }, () => {
    logger.info('first')
    logger.info('second')
    bindContext({ tenant: 'b', user_id: 'u1' })
    logger.info('after bind')
    logger.info('after bind, again')
    clearContext()
    logger.info('after clear')
    logger.info('after clear, again')
    bindContext({ request_id: 'r2', count: 10n, cycle, when: new Date(0) })
    logger.info('odd values')
    logger.info('odd values, again')
  })
  await logger.close()
  const got = await rows<Record<string, any>>(client, target)
  t.equal(got.length, 8)
  for (const r of got.slice(0, 2)) t.match(r, { request_id: 'r1', user_id: null, context: { tenant: 'a' } })
  for (const r of got.slice(2, 4)) t.match(r, { request_id: 'r1', user_id: 'u1', context: { tenant: 'b' } })
  for (const r of got.slice(4, 6)) {
    t.match(r, { request_id: null, user_id: null })
    t.same(r.context, {}, 'cleared fields are gone')
  }
  // pino writes the first line's fields itself (BigInt as a number, cycles marked); later lines the same.
  for (const r of got.slice(6)) t.match(r, { request_id: 'r2', context: { count: 10, cycle: { name: 'loop', self: '[Circular]' }, when: '1970-01-01T00:00:00.000Z' } })
})

t.test('a nested context never reuses its parent\'s serialized fields, nor the parent the child\'s', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  runWithContext({ request_id: 'parent', tenant: 'p' }, () => {
    logger.info('p1')
    logger.info('p2')
    runWithContext({ tenant: 'c' }, () => {
      logger.info('c1')
      logger.info('c2')
    })
    logger.info('p3')
  })
  await logger.close()
  const got = await rows<Record<string, any>>(client, target)
  t.same(got.map(r => [r.message, r.request_id, r.context.tenant]), [
    ['p1', 'parent', 'p'], ['p2', 'parent', 'p'], ['c1', 'parent', 'c'], ['c2', 'parent', 'c'], ['p3', 'parent', 'p']
  ])
})

t.test('a pino mixin and hooks given in options still run', async t => {
  const { target, client } = await freshTarget(t)
  const written: string[] = []
  const logger = await testLogger(t, target, {
    pino: {
      mixin: () => ({ build: 'b42' }),
      hooks: { streamWrite: line => { written.push(line); return line.replace('"secret-ish"', '"rewritten"') } }
    }
  })
  runWithContext({ request_id: 'r-hooks' }, () => {
    logger.info({ note: 'secret-ish' }, 'hooked')
    logger.info({ note: 'secret-ish' }, 'hooked again')
  })
  await logger.close()
  const got = await rows<Record<string, any>>(client, target)
  for (const r of got) t.match(r, { request_id: 'r-hooks', context: { build: 'b42', note: 'rewritten' } })
  t.equal(written.length, 2)
  t.ok(written.every(line => line.includes('"request_id":"r-hooks"')), 'the user hook sees each line with the context in it')
})

t.test('1 000 concurrent requests: each row carries its own request_id and user_id and no other', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const request = (i: number): Promise<void> => runWithContext({ request_id: `r${i}` }, async () => {
    await new Promise(resolve => setTimeout(resolve, Math.random() * 20))
    bindContext({ user_id: `u${i}` })
    logger.info({ i }, 'after await')
    setTimeout(() => logger.info({ i }, 'in a timer'), Math.random() * 10)
    await Promise.resolve().then(() => logger.info({ i }, 'in a promise chain'))
    const e = new EventEmitter()
    e.on('go', () => logger.info({ i }, 'in an emitter callback'))
    setImmediate(() => e.emit('go'))
    await once(e, 'go')
    await new Promise(resolve => setTimeout(resolve, 15))
  })
  await Promise.all(Array.from({ length: 1000 }, (_, i) => request(i)))
  await logger.close()
  const r = await client.query(`SELECT (context->>'i')::int AS i, request_id, user_id, count(*)::int AS n FROM "${target.schema}".system_logs GROUP BY 1, 2, 3`)
  t.equal(r.rowCount, 1000, 'one group per request')
  t.ok(r.rows.every(x => x.request_id === `r${x.i}` && x.user_id === `u${x.i}` && x.n === 4), 'every row of request i says r_i and u_i, four rows each')
})

t.test('rate limiting: a runaway loop silences itself, not the rest; errors pass; suppressions are reported', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: { maxPerSecond: 50, reportIntervalMs: 200 } })
  for (let i = 0; i < 5000; i++) logger.info({ i }, 'runaway %d', i)
  logger.info('a different message')
  for (let i = 0; i < 200; i++) logger.error({ i }, 'failure')
  t.ok(logger.rateLimiter!.droppedCount >= 4900, `dropped ${logger.rateLimiter!.droppedCount}`)
  await new Promise(resolve => setTimeout(resolve, 300))
  await logger.close()
  const r = await client.query(`SELECT message, level, context FROM "${target.schema}".system_logs`)
  const runaway = r.rows.filter(x => x.message.startsWith('runaway'))
  t.ok(runaway.length >= 50 && runaway.length < 100, `only the burst of the loop landed (${runaway.length})`)
  t.equal(r.rows.filter(x => x.message === 'a different message').length, 1)
  t.equal(r.rows.filter(x => x.level === 'error').length, 200, 'no error dropped')
  const report = r.rows.find(x => x.message === 'rate limit: lines suppressed')
  t.match(report, { level: 'warn', context: { rate_limited: '30:runaway %d', suppressed: 5000 - runaway.length } })
})

t.test('flush(cb) calls back with the lines committed; transportStats reads the counters', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  for (let i = 0; i < 5000; i++) logger.info({ i }, 'flushed')
  await new Promise<void>((resolve, reject) => logger.flush(err => err ? reject(err) : resolve()))
  const n = await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".system_logs`)
  t.equal(n.rows[0].n, 5000)
  const stats = await logger.transportStats()
  t.equal(stats?.committed, 5000)
})

t.test('no database configured: console only; with the console off too, an error rather than a logger that writes nowhere', async t => {
  t.same(planLogger({ env: {} }, false).databaseMissing, true)
  t.throws(() => createLogger({ console: false, handleSignals: false, handleExceptions: false, env: {} }), {
    code: 'CURATOR_LOG_ERR_OPTION_CONFLICT',
    message: 'curator-log: console: false needs a database, and none is configured (set DATABASE_URL, the PG* variables or database.connectionString): the logger would write nowhere'
  })
  t.throws(() => createLogger({ database: false, handleSignals: false, handleExceptions: false, env: { LOG_CONSOLE: 'no' } }), {
    code: 'CURATOR_LOG_ERR_OPTION_CONFLICT',
    message: 'curator-log: LOG_CONSOLE=no needs a database output, and database: false turns it off: the logger would write nowhere'
  })
})

t.test('the PG* variables configure the database when DATABASE_URL does not; pg reads them', async t => {
  for (const name of ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD']) {
    const plan = planLogger({ env: { [name]: 'x' } }, false)
    t.same([plan.database, plan.databaseMissing], [{ level: 'info', levelFrom: 'level' }, false], name)
  }
  t.equal(planLogger({ env: { PGHOST: '', PGSSLMODE: 'require' } }, false).databaseMissing, true, 'empty, or no server named: none')
  t.equal((planLogger({ env: { DATABASE_URL: 'postgres://url/db', PGHOST: 'pg' } }, false).database as { connectionString: string }).connectionString, 'postgres://url/db', 'DATABASE_URL wins')
})

t.test('environment overrides options', async t => {
  const plan = planLogger({ level: 'info', console: { pretty: true }, database: { connectionString: 'postgres://a/b' } },
    true)
  t.same(plan, { level: 'info', levelFrom: 'level', console: { level: 'info', levelFrom: 'level', pretty: true }, database: { connectionString: 'postgres://a/b', level: 'info', levelFrom: 'level' }, databaseMissing: false })
  const env = { LOG_LEVEL: 'debug', LOG_PRETTY: 'false', LOG_CONSOLE_LEVEL: 'warn', LOG_DATABASE_LEVEL: 'error', DATABASE_URL: 'postgres://env/db' }
  t.same(planLogger({ env }, true), { level: 'debug', levelFrom: 'LOG_LEVEL', console: { level: 'warn', levelFrom: 'LOG_CONSOLE_LEVEL', pretty: false }, database: { connectionString: 'postgres://env/db', level: 'error', levelFrom: 'LOG_DATABASE_LEVEL' }, databaseMissing: false })
  t.same(planLogger({ env: { LOG_CONSOLE: 'off', DATABASE_URL: 'x' } }, true), { level: 'info', levelFrom: 'level', console: false, database: { connectionString: 'x', level: 'info', levelFrom: 'level' }, databaseMissing: false })
  t.throws(() => planLogger({ env: { LOG_CONSOLE: 'off', LOG_DATABASE: '0', DATABASE_URL: 'x' } }, true), { code: 'CURATOR_LOG_ERR_OPTION_CONFLICT', option: 'LOG_CONSOLE' }, 'both off: nowhere to write')
  t.equal((planLogger({ env: { NODE_ENV: 'production' } }, true).console as { pretty: boolean }).pretty, false, 'no pretty output in production')
  t.throws(() => planLogger({ env: { LOG_PRETTY: 'maybe' } }, true), /LOG_PRETTY must be true or false/)
})
