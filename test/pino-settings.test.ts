import pino from 'pino'
import t from 'tap'
import { createLogger } from '../lib/app/create-logger.js'
import { consumerDir, runFixture } from './support/consumer.js'
import { databaseUrl, freshTarget, rows } from './support/db.js'
import { flushed, testLogger } from './support/logger.js'

type Row = Record<string, any>

t.test('messageKey: the text lands in the message column', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { messageKey: 'message' } })
  logger.info({ order: 1 }, 'placed')
  logger.info({ order: 2, password: 'p' }, 'placed again')
  await flushed(logger)
  const got = await rows<Row>(client, target)
  t.match(got, [{ message: 'placed', context: { order: 1 } }, { message: 'placed again', context: { order: 2, password: '[REDACTED]' } }])
  for (const r of got) t.notOk('message' in r.context)
})

t.test('errorKey: the error under it fills the error columns', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { errorKey: 'problem' } })
  logger.error(new RangeError('out of range'), 'failed')
  logger.error({ problem: new TypeError('bad type') }, 'failed again')
  await flushed(logger)
  const got = await rows<Row>(client, target)
  t.match(got, [
    { message: 'failed', error_type: 'RangeError', error_message: 'out of range', stack_trace: /^RangeError: out of range\n {4}at / },
    { message: 'failed again', error_type: 'TypeError', error_message: 'bad type', stack_trace: /^TypeError: bad type\n/ }
  ])
  for (const r of got) t.notOk('problem' in r.context)
})

t.test('customLevels: rows carry the level name, and a database level by that name filters', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { customLevels: { audit: 35 } }, database: { level: 'audit' } as never })
  const audited = logger as typeof logger & { audit (msg: string): void }
  logger.info('not stored')
  audited.audit('who did what')
  logger.warn('stored too')
  await flushed(logger)
  t.match(await rows<Row>(client, target), [{ level: 'audit', message: 'who did what' }, { level: 'warn', message: 'stored too' }])
})

t.test('level labels written by a formatter: a custom name in capitals is kept as named, a standard one in capitals is read as it', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, {
    pino: { customLevels: { AUDIT: 35 }, formatters: { level: (label: string) => ({ level: label === 'AUDIT' ? label : label.toUpperCase() }) } },
    database: { level: 'AUDIT' } as never
  })
  const audited = logger as typeof logger & { AUDIT (msg: string): void }
  logger.info('not stored')
  audited.AUDIT('who did what')
  logger.warn('stored too')
  await flushed(logger)
  t.match(await rows<Row>(client, target), [{ level: 'AUDIT', message: 'who did what' }, { level: 'warn', message: 'stored too' }])
})

t.test('useOnlyCustomLevels: only the custom names, as stored', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { level: 'low' as never, pino: { customLevels: { low: 10, high: 90 }, useOnlyCustomLevels: true } })
  const own = logger as unknown as { low (m: string): void, high (m: string): void }
  own.low('quiet')
  own.high('loud')
  await flushed(logger)
  t.match(await rows<Row>(client, target), [{ level: 'low', message: 'quiet' }, { level: 'high', message: 'loud' }])
})

t.test('levelComparison DESC: the logger decides what is stored, with its own level names', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { level: 'warn', pino: { levelComparison: 'DESC' } })
  logger.error('below warn, DESC: dropped')
  logger.debug('above warn, DESC: kept')
  await flushed(logger)
  t.match(await rows<Row>(client, target), [{ level: 'debug', message: 'above warn, DESC: kept' }])
})

for (const name of ['epochTime', 'unixTime', 'isoTime', 'isoTimeNano'] as const) {
  t.test(`timestamp ${name}: the row keeps the line's time`, async t => {
    const { target, client } = await freshTarget(t)
    const logger = await testLogger(t, target, { pino: { timestamp: pino.stdTimeFunctions[name] } })
    const before = Date.now()
    logger.info('timed')
    await flushed(logger)
    const [r] = await rows<Row>(client, target)
    const stamp = (r.timestamp as Date).getTime()
    // unixTime is Math.round(Date.now() / 1000): up to half a second ahead of the clock.
    t.ok(stamp >= before - 1000 && stamp <= Date.now() + 500, `${new Date(stamp).toISOString()} is the time of the line`)
    t.same(r.context, {}, 'no original_time: the time was read')
  })
}

t.test('a custom timestamp under another key is read too', async t => {
  const { target, client } = await freshTarget(t)
  const at = Date.UTC(2026, 10, 15, 8, 30)
  const logger = await testLogger(t, target, { pino: { timestamp: () => `,"ts":"${new Date(at).toISOString()}"` } })
  logger.info('dated')
  await flushed(logger)
  const [r] = await rows<Row>(client, target)
  t.equal((r.timestamp as Date).toISOString(), new Date(at).toISOString())
  t.same(r.context, {})
})

t.test('nestedKey: the fields under it are mapped like top-level ones', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { pino: { nestedKey: 'payload' } })
  logger.info({ request_id: 'r-nested', status_code: 201, order: 5 }, 'nested')
  await flushed(logger)
  t.match(await rows<Row>(client, target), [{ request_id: 'r-nested', status_code: 201, message: 'nested', context: { order: 5 } }])
})

t.test('createLogger refuses settings its outputs cannot follow', async t => {
  const base = { handleSignals: false, handleExceptions: false, env: {}, database: { connectionString: databaseUrl(), spillDir: false as const } }
  t.throws(() => createLogger({ ...base, database: { ...base.database, level: 'audit' } }), /database\.level "audit" is not a level of this logger/)
  t.throws(() => createLogger({ ...base, console: { level: 'loud' } }), /console\.level "loud" is not a level/)
  t.throws(() => createLogger({ ...base, console: {}, database: { ...base.database, level: 'error' }, pino: { levelComparison: 'DESC' } }), /levelComparison/)
  t.throws(() => createLogger({ ...base, pino: { timestamp: () => ',"time":"yesterday"' } }), /cannot read the time/)
})

for (const pretty of [false, true]) {
  t.test(`customLevels with database.level 'audit' and the ${pretty ? 'pretty' : 'JSON'} console on: both outputs get their lines`, async t => {
    const { target, client } = await freshTarget(t)
    const config = {
      console: { pretty, level: 'info' },
      database: { level: 'audit' },
      pino: { customLevels: { audit: 35 }, messageKey: 'message' },
      lines: [['info', { n: 1 }, 'console only'], ['audit', { n: 2 }, 'audited'], ['error', { n: 3 }, 'failed']]
    }
    const run = await runFixture(consumerDir(t), 'pino-settings-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, CONFIG: JSON.stringify(config) })
    t.equal(run.code, 0, run.stderr)
    t.match(await rows<Row>(client, target), [{ level: 'audit', message: 'audited', context: { n: 2 } }, { level: 'error', message: 'failed', context: { n: 3 } }])
    const out = run.stdout.split('\n').filter(Boolean)
    for (const text of ['console only', 'audited', 'failed']) t.match(run.stdout, text)
    if (pretty) t.match(run.stdout, /AUDIT/)
    else t.same(out.map(l => JSON.parse(l)).map(l => [l.level, l.message]), [[30, 'console only'], [35, 'audited'], [50, 'failed']])
  })
}
