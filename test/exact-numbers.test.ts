import fc from 'fast-check'
import t from 'tap'
import { qualifiedTable } from '../lib/core/identifiers.js'
import { COLUMNS, CONTEXT_INDEX, TIMESTAMP_INDEX } from '../lib/core/columns.js'
import { decodeRow, encodeRow } from '../transport/copy-text.js'
import { restampAtNow } from '../transport/restamp.js'
import { freshTarget, rows, transportLogger } from './support/db.js'
import { flushed, testLogger } from './support/logger.js'

// Texts that doubles change: past 2^53, long decimals, trailing zeros, negative zero, out of range.
const INEXACT = ['12345678901234567891', '9007199254740993', '-9223372036854775809', '0.1000000000000000055511151231257827',
  '1.50', '-0', '1e400', '-1E-400', '3.141592653589793238462643383279', '1.0', '100000000000000000000000000001']

t.test('BigInts logged through createLogger keep every digit in columns and context', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  logger.info({ user_id: 12345678901234567891n, tx: 9007199254740993n, nested: { big: -123456789012345678901234567890n } }, 'payment')
  // A sensitive key sends the line down the full path, which must keep the digits as well.
  logger.info({ user_id: 12345678901234567891n, tx: 9007199254740993n, password: 'x' }, 'payment')
  await flushed(logger)
  const got = await client.query(`SELECT user_id, context->'tx' AS tx, (context->'tx')::text AS tx_text,
    (context->'nested'->'big')::text AS big FROM ${qualifiedTable(target)} ORDER BY id`)
  t.equal(got.rows.length, 2)
  for (const r of got.rows) {
    t.equal(r.user_id, '12345678901234567891')
    t.equal(r.tx_text, '9007199254740993')
  }
  t.equal(got.rows[0].big, '-123456789012345678901234567890')
})

t.test('numbers written in any spelling reach jsonb with the value of their text', async t => {
  const { target, client } = await freshTarget(t)
  // Deep enough for any tree below: only the numbers are under test here.
  const { stream, end } = await transportLogger(t, target, { sanitize: { maxDepth: 100 } })
  const leaf = fc.oneof(fc.constantFrom(...INEXACT), fc.bigInt().map(String),
    fc.tuple(fc.bigInt(), fc.nat(), fc.integer({ min: -500, max: 500 })).map(([i, f, e]) => `${i}.${f}e${e}`),
    fc.constantFrom('"text"', 'true', 'null', '17'))
  const { v: tree } = fc.letrec<{ v: string }>(tie => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, leaf,
      fc.array(tie('v'), { maxLength: 3 }).map(a => `[${a.join(',')}]`),
      fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 }).map(o => `{${Object.entries(o).map(([k, v]) => `"${k}":${v}`).join(',')}}`))
  }))
  const samples = fc.sample(fc.tuple(tree, tree, fc.boolean()), { numRuns: 300, seed: 17 })
  const sent: string[] = []
  samples.forEach(([x, y, secret], seq) => {
    const members = `"seq":${seq},"x":${x},"y":${y}` + (secret ? ',"api_key":"k"' : '')
    sent.push(`{"seq":${seq},"x":${x},"y":${y}` + (secret ? ',"api_key":"[REDACTED]"' : '') + '}')
    stream.write(`{"level":30,"time":${Date.now()},${members},"msg":"n"}\n`)
  })
  await end()
  const got = await client.query(`SELECT (context->>'seq')::int AS seq, context::text AS text FROM ${qualifiedTable(target)} ORDER BY 1`)
  t.equal(got.rows.length, samples.length)
  let bad = 0
  for (const r of got.rows) {
    const same = await client.query('SELECT $1::jsonb = $2::jsonb AS same, $2::jsonb::text AS wanted', [r.text, sent[r.seq]])
    if (!same.rows[0].same && bad++ < 5) t.fail(`line ${r.seq}`, { found: r.text, wanted: same.rows[0].wanted })
  }
  t.equal(bad, 0, 'every context equals the text written, number for number')
})

t.test('columns that take a number keep its text or its exact value', async t => {
  const { target, client } = await freshTarget(t)
  const { stream, end } = await transportLogger(t, target)
  stream.write(`{"level":30.0,"time":${Date.now()},"msg":1.50,"request_id":12345678901234567891,"status_code":200.0,"duration_ms":0.1000000000000000055511151231257827,"pid":7e0}\n`)
  await end()
  const [r] = await rows<Record<string, unknown>>(client, target)
  t.match(r, { level: 'info', message: '1.50', request_id: '12345678901234567891', status_code: 200, pid: 7 })
  t.equal(r.duration_ms, 0.1)
})

t.test('rehoming a row keeps the numbers of its context as written', async t => {
  const fields: Record<string, string> = { timestamp: '2020-01-01T00:00:00.000Z', level: 'info', message: 'm', context: '{"tx":9007199254740993,"d":1.50,"a":[1e400]}' }
  const line = encodeRow(COLUMNS.map(c => fields[c] ?? null))
  const moved = decodeRow(restampAtNow(line, Date.UTC(2026, 10, 1)))
  t.equal(moved[TIMESTAMP_INDEX], '2026-11-01T00:00:00.000Z')
  t.equal(moved[CONTEXT_INDEX], '{"tx":9007199254740993,"d":1.50,"a":[1e400],"original_time":"2020-01-01T00:00:00.000Z"}')
})
