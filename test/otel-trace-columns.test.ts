import { readFileSync } from 'node:fs'
import pg from 'pg'
import t from 'tap'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { parseTraceparent } from '../lib/core/trace-ids.js'
import { encodeRow } from '../transport/copy-text.js'
import { LevelNames } from '../lib/core/levels.js'
import { createLineEncoder } from '../transport/line-to-row.js'
import { createRowMapper } from '../transport/record-to-row.js'
import { migrate } from '../lib/database/migrate.js'
import { freshTarget, rows, scratchDatabase, transportLogger } from './support/db.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

// Each case: the fields logged, and the trace columns and context expected in PostgreSQL.
const CASES: Array<[string, Record<string, unknown>, [string | null, string | null, number | null], Record<string, unknown>]> = [
  ['instrumentation-pino keys', { trace_id: TRACE, span_id: SPAN, trace_flags: '01' }, [TRACE, SPAN, 1], {}],
  ['flags as a number', { trace_id: TRACE, trace_flags: 0 }, [TRACE, null, 0], {}],
  ['camelCase', { traceId: TRACE, spanId: SPAN, traceFlags: 1 }, [TRACE, SPAN, 1], {}],
  ['ECS nested', { trace: { id: TRACE }, span: { id: SPAN, name: 'db' } }, [TRACE, SPAN, null], { span: { name: 'db' } }],
  ['ECS dotted', { 'trace.id': TRACE, 'span.id': SPAN }, [TRACE, SPAN, null], {}],
  ['upper case stays in context', { trace_id: TRACE.toUpperCase(), span_id: SPAN }, [null, SPAN, null], { trace_id: TRACE.toUpperCase() }],
  ['all-zero ids stay in context', { trace_id: '0'.repeat(32), span_id: '0'.repeat(16) }, [null, null, null], { trace_id: '0'.repeat(32), span_id: '0'.repeat(16) }],
  ['wrong lengths and types stay', { trace_id: TRACE.slice(1), span_id: 7, trace_flags: '1' }, [null, null, null], { trace_id: TRACE.slice(1), span_id: 7, trace_flags: '1' }],
  ['flags out of range stay', { trace_id: TRACE, trace_flags: 256 }, [TRACE, null, null], { trace_flags: 256 }],
  ['snake_case wins; a different camelCase id stays', { trace_id: TRACE, traceId: 'a'.repeat(32) }, [TRACE, null, null], { traceId: 'a'.repeat(32) }],
  ['the same id twice leaves context', { trace_id: TRACE, traceId: TRACE }, [TRACE, null, null], {}],
  ['an all-digit span id that passes Luhn is a span id, not a card', { span_id: '4111111111111111' }, [null, '4111111111111111', null], {}],
  ['an invalid snake_case id lets the camelCase one in', { trace_id: 'nope', traceId: TRACE }, [TRACE, null, null], { trace_id: 'nope' }]
]

t.test('trace ids from every supported key land in their columns; invalid ones stay in context', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  CASES.forEach(([name, fields], seq) => logger.info({ seq, ...fields }, name))
  await end()
  const got = await rows<Record<string, any>>(client, target, "(context->>'seq')::int")
  t.equal(got.length, CASES.length)
  CASES.forEach(([name, , columns, context], seq) => {
    const r = got[seq]
    t.same([r.trace_id, r.span_id, r.trace_flags], columns, `${name}: columns`)
    t.strictSame(r.context, { seq, ...context }, `${name}: context`)
  })
})

t.test('the sanitizer leaves valid trace and span ids alone, wherever they are', async t => {
  const sanitizer = new Sanitizer()
  for (let i = 0; i < 2000; i++) {
    const trace = Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('')
    // Known limit: a span id of 16 decimal digits that passes Luhn's check (about 1 in 60 000) reads
    // as a card number outside its column. In its column it is kept (see the case above).
    const span = /^[0-9]{16}$/.test(trace.slice(0, 16)) ? 'a' + trace.slice(1, 16) : trace.slice(0, 16)
    const value = { trace_id: trace, span_id: span, nested: { traceId: trace, note: `trace ${trace} span ${span}` } }
    const clean = sanitizer.sanitizeParsed(structuredClone(value))
    if (JSON.stringify(clean) !== JSON.stringify(value)) t.fail('redacted', { value, clean })
  }
  t.pass('2000 random ids kept')
  // Seen in a run: it has a Belgian IBAN's length and passes mod 97, but a Belgian account number is digits.
  for (const span of ['be4873812967b8b7']) {
    t.same(sanitizer.sanitizeParsed({ span_id: span, note: `span ${span}` }), { span_id: span, note: `span ${span}` }, span)
  }
  t.equal(sanitizer.sanitizeString('iban BE68 5390 0754 7034'), 'iban [REDACTED_IBAN]', 'a Belgian IBAN is still redacted')
})

t.test('traceparent: version 00 only, all-zero ids and malformed headers ignored', async t => {
  t.same(parseTraceparent(`00-${TRACE}-${SPAN}-01`), { trace_id: TRACE, parent_span_id: SPAN, trace_flags: 1 })
  t.same(parseTraceparent(` 00-${TRACE}-${SPAN}-00 `), { trace_id: TRACE, parent_span_id: SPAN, trace_flags: 0 })
  for (const bad of [`01-${TRACE}-${SPAN}-01`, `ff-${TRACE}-${SPAN}-01`, `00-${'0'.repeat(32)}-${SPAN}-01`, `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`, `00-${TRACE}-${SPAN}`, `00-${TRACE}-${SPAN}-01-extra`, `00-${TRACE}-${SPAN}-1`, '', undefined, [`00-${TRACE}-${SPAN}-01`, 'x']]) {
    t.equal(parseTraceparent(bad), undefined, JSON.stringify(bad))
  }
})

t.test('fast path: a trace id repeated (the context\'s, then a child span\'s) keeps the last valid one, as the full path does', async t => {
  const options = { sanitizer: new Sanitizer(), levels: new LevelNames(), messageKey: 'msg', errorKey: 'err', maxMessageLength: 65536, window: () => ({ from: 0, to: 8.64e15 }) }
  const fast = createLineEncoder(options)
  const map = createRowMapper(options)
  const CHILD = '1111111111111111'
  const lines = {
    'valid, then valid': [`{"level":30,"time":1,"span_id":"${SPAN}","trace_id":"${TRACE}","msg":"m","span_id":"${CHILD}"}`, true],
    'invalid, then valid': [`{"level":30,"time":1,"span_id":"x","msg":"m","span_id":"${CHILD}"}`, false],
    'valid, then invalid': [`{"level":30,"time":1,"span_id":"${SPAN}","msg":"m","span_id":"x"}`, false]
  } as const
  for (const [name, [line, taken]] of Object.entries(lines)) {
    const encoded = fast(line, 2)
    t.equal(encoded !== undefined, taken, `${name}: fast path ${taken ? 'takes' : 'declines'} it`)
    if (encoded !== undefined) t.equal(encoded.copyLine, encodeRow(map(JSON.parse(line), 2)), `${name}: the full path's row`)
  }
  t.match(fast(lines['valid, then valid'][0], 2)?.copyLine, CHILD)
})

t.test('docs/opentelemetry.md: its SQL runs as written against the default table and finds the trace', async t => {
  const doc = readFileSync(new URL('../docs/opentelemetry.md', import.meta.url), 'utf8')
  const statements = [...doc.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].flatMap(m => m[1].split(/;\n/)).map(q => q.trim()).filter(q => q !== '')
  t.equal(statements.length, 4, 'a trace\'s lines, traces with errors, the join with spans, Grafana')
  // A database of its own: the examples name public.system_logs, which the other tests leave alone.
  const url = await scratchDatabase(t, 'otel_doc')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  const target = { schema: 'public', table: 'system_logs' }
  await migrate(client, target)
  const { logger, end } = await transportLogger(t, target, {}, {}, url)
  logger.info({ trace_id: TRACE, span_id: SPAN }, 'checkout started')
  logger.error({ trace_id: TRACE, span_id: SPAN }, 'payment declined')
  logger.info({ trace_id: 'a'.repeat(32), span_id: SPAN }, 'another trace, no error')
  logger.info('no trace')
  await end()
  await client.query(`CREATE TABLE spans (trace_id text, span_id text, name text, start_time timestamptz, end_time timestamptz);
    INSERT INTO spans VALUES ('${TRACE}', '${SPAN}', 'POST /checkout', now() - interval '1 minute', now())`)
  // Grafana's macros as it expands them, the text box holding the trace id.
  const run = async (sql: string): Promise<Array<Record<string, any>>> => (await client.query(sql
    .replace('$__timeFilter("timestamp")', '"timestamp" BETWEEN now() - interval \'1 hour\' AND now()')
    .replaceAll('${trace_id:sqlstring}', `'${TRACE}'`))).rows // eslint-disable-line no-template-curly-in-string -- Grafana's syntax
  const [lines, errors, joined, grafana] = await Promise.all(statements.map(run))
  t.same(lines.map(r => [r.level, r.span_id, r.message]), [['info', SPAN, 'checkout started'], ['error', SPAN, 'payment declined']], 'one trace\'s lines')
  t.same(errors.map(r => [r.trace_id, Number(r.lines), r.error]), [[TRACE, 2, 'payment declined']], 'traces with errors')
  // Both lines may share a millisecond: these two order by time alone.
  t.same(joined.map(r => [r.span, r.message]).sort(), [['POST /checkout', 'checkout started'], ['POST /checkout', 'payment declined']], 'logs joined to spans')
  t.same(grafana.map(r => [r.body, r.trace_id]).sort(), [['checkout started', TRACE], ['payment declined', TRACE]], 'the Grafana panel')
})
