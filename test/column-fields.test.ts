import t from 'tap'
import { bindContext, runWithContext } from '../lib/app/context.js'
import { COLUMN_SPECS } from '../lib/core/columns.js'
import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import { freshTarget, transportLogger } from './support/db.js'
import { testLogger } from './support/logger.js'

const MB = 'x'.repeat(1_000_000)

t.test('fields named like columns in the logged object never decide the level or time, nor break a row', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  const before = Date.now()
  logger.error({ level: 'gold' }, 'level gold')
  logger.error({ level: MB }, 'level of a megabyte')
  logger.warn({ level: 'a\u0000b' }, 'level with a NUL')
  logger.info({ level: 60 }, 'level as a number')
  logger.info({ time: 'not a time' }, 'time as text')
  logger.info({ time: 0 }, 'time 1970')
  logger.info({ name: 42, hostname: 'h\u0000st', pid: 'x', status_code: 'teapot', duration_ms: 'slow' }, 'wrong types')
  logger.info({ status_code: 1e12, duration_ms: 1e308, user_id: MB }, 'huge values')
  logger.info({ msg: { nested: true } })
  await end()
  const r = await client.query(`SELECT message, level, "timestamp", logger, hostname, pid, status_code, duration_ms, user_id, context FROM "${target.schema}".system_logs ORDER BY id`)
  const by = (m: string) => r.rows.find(row => row.message === m)
  t.equal(r.rowCount, 9, 'every line is a row: none dead-lettered')
  t.same([by('level gold').level, by('level gold').context.level], ['error', 'gold'])
  t.equal(by('level of a megabyte').level, 'error')
  t.ok(by('level of a megabyte').context.level.length < 9000, 'the field is capped in context')
  t.same([by('level with a NUL').level, by('level with a NUL').context.level], ['warn', 'a\ufffdb'])
  t.same([by('level as a number').level, by('level as a number').context.level], ['info', 60])
  for (const m of ['time as text', 'time 1970']) {
    t.ok(by(m).timestamp.getTime() >= before - 1000, `${m}: pino's time is the timestamp`)
    t.notOk('original_time' in by(m).context, `${m}: no original time`)
  }
  t.same(by('time as text').context.time, 'not a time')
  t.same(by('time 1970').context.time, 0)
  const wrong = by('wrong types')
  t.same([wrong.logger, wrong.pid, wrong.status_code, wrong.duration_ms], [null, null, null, null], 'values of the wrong type take no column')
  t.match(wrong.context, { name: 42, pid: 'x', status_code: 'teapot', duration_ms: 'slow' }, 'they are kept in context')
  t.equal(wrong.hostname, 'h\ufffdst')
  const huge = by('huge values')
  t.same([huge.status_code, huge.duration_ms], [null, 1e308])
  t.ok(huge.user_id.length <= 600, 'the user_id column is capped')
  t.equal(r.rows.find(row => row.message === '')?.context.msg.nested, true, 'a message object goes to context')
})

t.test('with createLogger, a bound context field named level or time stays a field', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  // On a busy machine the worker can take a while to start; close() must not be what waits for it.
  await logger.transportStats()
  runWithContext({ request_id: 'r-1' }, () => {
    bindContext({ level: 'fatal', time: 1 })
    logger.info('first line of the scope')
    logger.info('second line of the scope')
    logger.info({ level: 'fatal' }, 'third, with its own level field')
  })
  await logger.close()
  const r = await client.query(`SELECT message, level, "timestamp", context FROM "${target.schema}".system_logs ORDER BY id`)
  t.equal(r.rowCount, 3)
  for (const row of r.rows) {
    t.equal(row.level, 'info', `${row.message}: the logger's level`)
    t.equal(row.context.level, 'fatal', `${row.message}: the field in context`)
    t.ok(row.timestamp.getTime() > 1e12, `${row.message}: pino's time`)
  }
})

t.test('every lookup column cuts an over-long string at its cap and keeps it whole in context', async t => {
  const { target, client } = await freshTarget(t)
  const { stream, end } = await transportLogger(t, target)
  // The string columns with a numeric cap and a key of their own (the logger's name key is pino's `name`).
  const capped = COLUMN_SPECS.filter(c => (c.source === 'string' || c.source === 'text') && typeof c.cap === 'number')
  t.ok(capped.some(c => c.name === 'hostname'), 'hostname is among them')
  for (const c of capped) {
    const value = c.name.slice(0, 1) + 'z'.repeat((c.cap as number) + 88)
    stream.write(`{"level":30,"time":${Date.now()},${JSON.stringify(c.keys[0])}:${JSON.stringify(value)},"col":${JSON.stringify(c.name)},"msg":"long"}\n`)
  }
  await end()
  const got = await client.query(`SELECT row_to_json(l) AS r FROM "${target.schema}".system_logs l ORDER BY id`)
  t.equal(got.rows.length, capped.length)
  for (const [i, c] of capped.entries()) {
    const r = got.rows[i].r
    const value = c.name.slice(0, 1) + 'z'.repeat((c.cap as number) + 88)
    t.equal(r.context.col, c.name)
    t.equal(r[c.name], new Sanitizer().sanitizeString(value, c.cap as number), `${c.name}: cut at its cap`)
    t.ok(r[c.name].length < value.length && value.startsWith(r[c.name].slice(0, 500)), `${c.name}: cut`)
    t.equal(r.context[c.keys[0]], value, `${c.name}: kept whole in context`)
  }
})
