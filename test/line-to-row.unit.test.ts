import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import pino from 'pino'
import t from 'tap'
import { Sanitizer, type SanitizerOptions } from '../lib/sanitizer/index.js'
import { COLUMNS, COLUMN_SPECS, CONTEXT_INDEX } from '../lib/core/columns.js'
import { decodeRow, encodeRow } from '../transport/copy-text.js'
import { LevelNames } from '../lib/core/levels.js'
import { createLineEncoder } from '../transport/line-to-row.js'
import { type ParsedLine, parseLine } from '../transport/pino-line.js'
import { createRowMapper, type RowMapperOptions } from '../transport/record-to-row.js'
import { SECRETS } from './support/secrets.js'

const NOW = Date.UTC(2026, 10, 28, 12)

function paths (sanitize: SanitizerOptions = {}, extra: Partial<RowMapperOptions> = {}) {
  const options: RowMapperOptions = {
    sanitizer: new Sanitizer(sanitize),
    levels: new LevelNames(),
    messageKey: 'msg',
    errorKey: 'err',
    maxMessageLength: 65536,
    window: () => ({ from: NOW - 40 * 86_400_000, to: NOW + 40 * 86_400_000 }),
    ...extra
  }
  const map = createRowMapper(options)
  // What the transport does with a line when the fast path declines it.
  const full = (line: string): string => {
    let parsed: ParsedLine
    try {
      parsed = parseLine(line, options.timeKey)
    } catch {
      return 'unparsed'
    }
    const { record, owned } = parsed
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return 'unparsed'
    return encodeRow(map(record as Record<string, unknown>, NOW, owned))
  }
  return { fast: createLineEncoder(options), full }
}

/** Both rows field by field; context as JSON (jsonb keeps neither key order nor spelling). */
function sameRow (fast: string, full: string): boolean {
  const a = decodeRow(fast)
  const b = decodeRow(full)
  if (a.length !== b.length) return false
  return a.every((v, i) => i === CONTEXT_INDEX ? isDeepStrictEqual(JSON.parse(v!), JSON.parse(b[i]!)) : v === b[i])
}

/** A COPY line's fields by column name. */
const byColumn = (copyLine: string): Record<string, string | null> => {
  const fields = decodeRow(copyLine)
  return Object.fromEntries(COLUMNS.map((c, i) => [c, fields[i]]))
}

// Every key a column reads, from the spec (a new column's keys join by themselves), with the ECS forms
// of the trace columns (`trace.id` flat, or `trace: { id }`); then keys of no column, sensitive ones among them.
const COLUMN_KEYS = [...new Set(COLUMN_SPECS.flatMap(c => [...c.keys, ...(c.ecs ? [c.ecs, `${c.ecs}.id`, 'id'] : [])]))]
const KEYS = [...COLUMN_KEYS, 'password', 'api_key', 'token', '__proto__', 'tenant', 'cart', 'a', 'b', 'x-y', 'é', 'Buffer', 'type', 'data', '']
// OpenTelemetry's values, valid and not: the trace columns take the valid ones.
const TRACE_VALUES = ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', '01', '0'.repeat(32), '0'.repeat(16),
  '4BF92F3577B34DA6A3CE929D0E0E4736', 'ff', '1']
const STRINGS = ['', 'GET', 'acme', 'info', 'WARN', '/api/v1/orders/7', '10.0.0.1', 'line\nbreak', 'tab\there', 'quote"inside',
  'back\\slash', 'emoji 😀', 'nul\u0000', 'lone \ud800', 'Buffer', 'a'.repeat(600), 'b'.repeat(9000), '2026-11-28T12:00:00Z',
  'password=hunter2', 'user@example.com', 'ok', '9f8e7d6c-5b4a-3928-1706-abcdefabcdef', ...SECRETS.map(s => s.text), ...TRACE_VALUES]
const NUMBERS = [0, -0, 1, -1, 30, 50, 1.5, 0.1, 1e21, 1e-7, 2 ** 31, -(2 ** 31) - 1, 123456789012345680000, NOW, NOW - 400 * 86_400_000, 404.25]

const leaf = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 }))
const value = fc.letrec<{ v: unknown }>(tie => ({
  v: fc.oneof({ depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 4 }),
    fc.constant({ type: 'Buffer', data: [1, 2, 3] }),
    fc.constant(Array.from({ length: 101 }, (_, i) => i)),
    fc.constant({ a: { b: { c: { d: { e: { f: 1 } } } } } })
  )
})).v
const record = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 })

t.test('pino lines: the fast path gives the full path\'s row, or declines', async t => {
  const { fast, full } = paths()
  let taken = 0
  fc.assert(fc.property(record, fc.constantFrom('first', 'second', 'third'), (fields, msg) => {
    let line = ''
    pino({ name: 'api', base: { pid: 1, hostname: 'h' }, timestamp: () => `,"time":${NOW}` }, { write: (s: string) => { line = s.slice(0, -1) } }).info(fields, msg)
    const encoded = fast(line, NOW)
    if (encoded === undefined) return true
    taken++
    return sameRow(encoded.copyLine, full(line))
  }), { numRuns: 4000 })
  t.ok(taken > 400, `the fast path took ${taken} of 4000 lines`)
})

t.test('any JSON text and mutations of it: never a row the full path would not write', async t => {
  const { fast, full } = paths()
  const pieces = ['"', '\\', '{', '}', '[', ']', ',', ':', '0', '1', '-', '.', 'e', 'E', '+', 'true', 'null', '\\u0041', '\\n', '\t', ' ', 'a', '"msg"', '"time"', '"level"']
  const mutated = fc.tuple(record, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...pieces)), { maxLength: 3 }))
    .map(([fields, edits]) => {
      let s = JSON.stringify({ level: 30, time: NOW, ...fields })
      for (const [at, cut, piece] of edits) {
        const i = at % (s.length + 1)
        s = s.slice(0, i) + piece + s.slice(i + cut)
      }
      return s
    })
  fc.assert(fc.property(mutated, line => {
    const encoded = fast(line, NOW)
    return encoded === undefined || (full(line) !== 'unparsed' && sameRow(encoded.copyLine, full(line)))
  }), { numRuns: 20_000 })
  t.pass('20 000 lines')
})

t.test('sanitizer settings are honoured: custom patterns, keys and caps', async t => {
  // Column names among the sensitive keys: a column key whose value has no column lands in context,
  // where the key rule applies.
  const { fast, full } = paths({ patterns: ['acme'], sensitiveKeys: ['tenant', 'path', 'hostname', 'msg'], maxDepth: 2, maxArrayLength: 2, maxObjectKeys: 3, maxStringLength: 10 }, { maxMessageLength: 5 })
  fc.assert(fc.property(record, fields => {
    const line = JSON.stringify({ level: 30, time: NOW, ...fields })
    const encoded = fast(line, NOW)
    return encoded === undefined || sameRow(encoded.copyLine, full(line))
  }), { numRuns: 4000 })
  for (const line of [
    `{"level":30,"time":${NOW},"msg":"for acme"}`,
    `{"level":30,"time":${NOW},"tenant":"x"}`,
    `{"level":30,"time":${NOW},"path":{"a":1}}`,
    `{"level":30,"time":${NOW},"hostname":[1]}`,
    `{"level":30,"time":${NOW},"msg":{"a":1}}`,
    `{"level":30,"time":${NOW},"a":{"b":{"c":1}}}`,
    `{"level":30,"time":${NOW},"a":[1,2,3]}`,
    `{"level":30,"time":${NOW},"a":1,"b":2,"c":3,"d":4}`,
    `{"level":30,"time":${NOW},"a":"12345678901"}`,
    `{"level":30,"time":${NOW},"msg":"123456"}`
  ]) t.equal(fast(line, NOW), undefined, line)
})

t.test('typical lines take the fast path, and the row is exact', async t => {
  const { fast, full } = paths()
  const line = `{"level":40,"time":${NOW},"pid":7,"hostname":"web-1","name":"api","request_id":"r-1","user_id":42,"path":"/a\\\\b","method":"GET","status_code":404,"duration_ms":1.5,"tenant":"acme","cart":{"items":[1,2],"note":"tab\\there"},"msg":"not found"}`
  const encoded = fast(line, NOW)
  t.ok(encoded, 'taken')
  t.equal(encoded!.level, 40)
  t.equal(encoded!.copyLine, full(line), 'the same COPY line, byte for byte')
  t.match(byColumn(encoded!.copyLine), { timestamp: new Date(NOW).toISOString(), level: 'warn', logger: 'api', message: 'not found', context: '{"tenant":"acme","cart":{"items":[1,2],"note":"tab\\there"}}', request_id: 'r-1' })
  t.equal(fast(`{"level":30,"time":${NOW - 400 * 86_400_000},"msg":"old"}`, NOW), undefined, 'outside the partitions: the full path keeps original_time')
  t.equal(fast('{"level":30,"err":{"type":"Error","message":"x"},"msg":"e"}', NOW), undefined, 'errors take the full path')
  t.same(byColumn(fast('{}', NOW)!.copyLine), { ...Object.fromEntries(COLUMNS.map(c => [c, null])), timestamp: new Date(NOW).toISOString(), level: 'info', message: '', context: '{}' }, 'an empty record')
  for (const n of ['-0', '1.0', '1E2', '1e2', '0.10', '12345678901234567890', '1e400', '-0.0', '00', '1.', '.5', '+1']) {
    for (const line of [`{"pid":${n}}`, `{"a":${n}}`, `{"request_id":${n}}`, `{"msg":${n}}`]) {
      const encoded = fast(line, NOW)
      t.ok(encoded === undefined || sameRow(encoded.copyLine, full(line)), `a number spelled ${n}: ${line}`)
    }
  }
  t.equal(paths({}, { messageKey: 'path' }).fast('{"level":30,"path":"x"}', NOW), undefined, 'a message key that is a column: full path only')
})

t.test('more distinct keys than the key cache holds: rows stay exact, columns stay columns', async t => {
  const { fast, full } = paths()
  let wrong = 0
  for (let i = 0; i < 25_000; i++) {
    const line = `{"level":30,"time":${NOW},"request_id":"r-${i}","field_${i}":${i},"password":"p","msg":"m"}`
    const clean = `{"level":30,"time":${NOW},"request_id":"r-${i}","field_${i}":${i},"msg":"m"}`
    if (fast(line, NOW) !== undefined) wrong++
    const encoded = fast(clean, NOW)
    if (encoded === undefined || encoded.copyLine !== full(clean)) wrong++
  }
  t.equal(wrong, 0, 'every sensitive key declined, every clean line exact')
})
