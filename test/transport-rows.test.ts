import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { cleanString } from '../lib/sanitizer/sanitizer.js'
import { count, flushTransport, freshTarget, rows, transportLogger } from './support/db.js'

// 100 000 lines, and 10 000 hostile ones read back field by field: minutes on a loaded machine.
t.setTimeout(600_000)

// Strings that break naive COPY or JSON handling. None of them looks like a secret.
const NASTY = [
  'tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', '\\.', 'trailing\\',
  'nul\u0000inside', '\u0000', 'lone high \ud800 surrogate', 'lone low \udc00 surrogate', 'pair \ud83d\ude00 ok',
  '😀🎉 non-BMP', 'quote " and \' and `', '{"json":"text"}', '', ' ', 'ünïcödé ✓', '\u2028\u2029', 'x'.repeat(20_000)
]

const pick = (i: number, k: number): string => NASTY[(i * 7 + k) % NASTY.length]

t.test('10 000 lines with hostile strings arrive field for field', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, stream, end } = await transportLogger(t, target, { batchRows: 700 }, { name: 'nasty' })
  const N = 10_000
  for (let i = 0; i < N; i++) {
    const msg = pick(i, 0)
    logger.info({
      seq: i,
      request_id: `req-${i % 97}`,
      user_id: i % 3 === 0 ? i : undefined,
      path: '/p/' + pick(i, 1).slice(0, 100),
      status_code: 200 + (i % 5),
      duration_ms: i / 7,
      note: pick(i, 2).slice(0, 4000),
      list: [pick(i, 3).slice(0, 50), i],
      nested: { inner: pick(i, 4).slice(0, 50) }
    }, msg)
  }
  // Flushed before the close, whose deadline would spill (here: drop) what a loaded machine has not loaded.
  await flushTransport(stream)
  await end()
  t.equal(await count(client, target), N)
  const got = await rows<Record<string, any>>(client, target, "(context->>'seq')::int")
  let mismatches = 0
  for (let i = 0; i < N; i++) {
    const r = got[i]
    const expected = {
      level: 'info',
      logger: 'nasty',
      message: cleanString(pick(i, 0)),
      request_id: `req-${i % 97}`,
      user_id: i % 3 === 0 ? String(i) : null,
      path: cleanString('/p/' + pick(i, 1).slice(0, 100)),
      status_code: 200 + (i % 5),
      duration_ms: i / 7,
      pid: process.pid,
      context: {
        seq: i,
        note: cleanString(pick(i, 2).slice(0, 4000)),
        list: [cleanString(pick(i, 3).slice(0, 50)), i],
        nested: { inner: cleanString(pick(i, 4).slice(0, 50)) }
      }
    }
    for (const [k, v] of Object.entries(expected)) {
      if (!isDeepStrictEqual(r[k], v)) {
        if (mismatches++ < 5) t.fail(`row ${i} column ${k}`, { found: r[k], wanted: v })
      }
    }
  }
  t.equal(mismatches, 0, 'every field of every row as logged')
})

t.test('numeric and label levels, custom levels, errors and odd lines', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, { levels: { audit: 35 } }, { customLevels: { audit: 35 } })
  logger.trace('t')
  logger.level = 'trace'
  logger.trace('t2')
  ;(logger as any).audit('custom')
  logger.fatal({ err: Object.assign(new TypeError('bad'), { code: 'E_BAD' }) }, 'with code')
  logger.warn({ error: 'just a string' }, 'string error')
  logger.info({ status_code: 'not a number', duration_ms: 'slow', request_id: { nested: true } }, 'wrong types')
  await end()
  const got = await rows<Record<string, any>>(client, target)
  t.same(got.map(r => r.level), ['trace', 'audit', 'fatal', 'warn', 'info'])
  t.match(got[2], { error_type: 'TypeError', error_message: 'bad', stack_trace: /TypeError: bad/, context: { err: { code: 'E_BAD' } } })
  t.match(got[3], { error_type: null, error_message: 'just a string' })
  t.match(got[4], { status_code: null, duration_ms: null, request_id: null, context: { status_code: 'not a number', duration_ms: 'slow', request_id: { nested: true } } })
})

t.test('a line from outside the live months is stored at ingest time, its own time kept in context', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, {}, { timestamp: () => ',"time":946684800000' })
  const before = Date.now()
  logger.info('from the year 2000')
  await end()
  const [r] = await rows<Record<string, any>>(client, target)
  t.ok(r.timestamp.getTime() >= before - 1000, 'ingest time')
  t.equal(r.context.original_time, 946684800000)
})

t.test('100 000 lines: all 100 000 rows land', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, stream, end } = await transportLogger(t, target)
  for (let i = 0; i < 100_000; i++) logger.info({ seq: i, request_id: `r${i % 1000}` }, 'bulk line')
  // Through pino's flush, not the close: close has a deadline (closeTimeoutMs), past which lines are
  // spilled, and these tests turn spilling off; a loaded machine may not load 100 000 rows in time.
  await flushTransport(stream)
  await end()
  const r = await client.query(`SELECT count(*)::int AS n, count(DISTINCT (context->>'seq'))::int AS d FROM "${target.schema}".system_logs`)
  t.same(r.rows[0], { n: 100_000, d: 100_000 })
})

t.test('lines that are not a JSON object land as text, beside the lines around them', async t => {
  const { target, client } = await freshTarget(t)
  const { stream, end } = await transportLogger(t, target)
  const now = Date.now()
  const lines = [
    `{"level":30,"time":${now},"msg":"before"}`,
    'plain text from a stray console.log',
    `{"level":30,"time":${now},"msg":"cut off`,
    '[1,2,3]',
    'null',
    `{"level":30,"time":${now},"msg":"trailing"} junk`,
    // A number as a key, of a text doubles would change: the exact-number reader once quoted it.
    `{"level":30,"time":${now},"msg":"number key",1.50:"x"}`,
    `{"level":30,"time":${now},"msg":"number key",1e400:1}`,
    `{"level":40,"time":${now},"msg":"after","tenant":"acme"}`
  ]
  stream.write(lines.join('\n') + '\n')
  await end()
  const got = await rows<Record<string, any>>(client, target)
  t.equal(got.length, lines.length, 'one row per line')
  const byMessage = new Map(got.map(r => [r.message, r]))
  t.match(byMessage.get('before'), { level: 'info', context: {} })
  t.match(byMessage.get('after'), { level: 'warn', context: { tenant: 'acme' } })
  for (const line of lines.slice(1, -1)) {
    const r = byMessage.get(line)
    t.ok(r, `kept as text: ${line}`)
    t.equal(r?.context.unparsed, true)
    t.equal(r?.level, 'info')
  }
  t.match(byMessage.get(lines[2])?.context.parse_error, /JSON/, 'the parser\'s complaint is kept')
})
