import fc from 'fast-check'
import t from 'tap'
import { runWithContext } from '../lib/app/context.js'
import { freshTarget, transportLogger } from './support/db.js'
import { flushed, testLogger } from './support/logger.js'

const cycle: Record<string, unknown> = { name: 'loop', big: 12345678901234567891n }
cycle.self = cycle

// Each kind of value a context may hold, and (where pino's writing is fixed) what the row keeps.
const KINDS: Array<[string, unknown, unknown?]> = [
  ['an object with a cycle and a BigInt', cycle, { name: 'loop', big: 12345678901234567891n, self: '[Circular]' }],
  ['a BigInt', 9007199254740993n, 9007199254740993n],
  ['a Date', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026-01-02T03:04:05.000Z'],
  ['an Error', new TypeError('nope')],
  ['a Map', new Map([['a', 1]]), {}],
  ['a Set', new Set([1, 2]), {}],
  ['a Buffer', Buffer.from('hi')],
  ['NaN', Number.NaN, null],
  ['an array with a BigInt', [1n, 'x'], [1n, 'x']]
]

t.test('every kind of value in a context is stored the same on every line of it', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  for (const [kind, value] of KINDS) {
    runWithContext({ kind, v: value, error: new RangeError('kept') }, () => {
      logger.info('first')
      logger.info('second')
      logger.child({ c: 1 }).info('third')
    })
  }
  await flushed(logger)
  const got = await client.query(`SELECT context->>'kind' AS kind, (context->'v')::text AS v, error_type, error_message
    FROM "${target.schema}".system_logs ORDER BY id`)
  t.equal(got.rows.length, 3 * KINDS.length)
  for (const [kind, , stored] of KINDS) {
    const lines = got.rows.filter(r => r.kind === kind)
    t.equal(lines.length, 3, kind)
    for (const r of lines.slice(1)) t.same(r, lines[0], `${kind}: a later line stores what the first did`)
    t.match(lines[0], { error_type: 'RangeError', error_message: 'kept' }, `${kind}: the error beside it`)
    if (stored === undefined) continue
    // JSON text with the BigInts as digits, read by jsonb like the row.
    const json = JSON.stringify(stored, (_, v) => typeof v === 'bigint' ? `@${v}@` : v).replace(/"@(-?\d+)@"/g, '$1')
    const wanted = await client.query('SELECT $1::jsonb::text AS v', [json])
    t.equal(lines[0].v, wanted.rows[0].v, `${kind}: as pino writes it`)
  }
})

t.test('objects with index keys are stored as logged; only a Buffer is shown by its length', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target)
  // Keys 0..n-1 in order with byte values (what a Uint8Array's JSON looks like) are the likeliest to be taken for bytes.
  const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }).map(a => Object.fromEntries(a.map((b, i) => [String(i), b])))
  const mixed = fc.dictionary(fc.oneof(fc.nat(20).map(String), fc.constantFrom('type', 'data', 'x')),
    fc.oneof(fc.integer({ min: -3, max: 300 }), fc.string({ maxLength: 3 }), fc.constant('Buffer'), fc.array(fc.nat(255), { maxLength: 3 })), { minKeys: 1, maxKeys: 8 })
  const objects: object[] = [{ 0: 12, 1: 7, 2: 250 }, { 0: 255, 1: 128, 2: 0 }, { type: 'Buffer', data: [1, 2, 300] },
    { type: 'Buffer', data: [1], extra: true }, ...fc.sample(fc.oneof(bytes, mixed), { numRuns: 200, seed: 10 })]
  objects.forEach((hits, seq) => logger.info({ seq, shard_hits: hits }, 'counts'))
  logger.info({ seq: objects.length, shard_hits: Buffer.from('SECRET') }, 'a buffer')
  await end()
  const got = await client.query(`SELECT (context->>'seq')::int AS seq, context->'shard_hits' AS v FROM "${target.schema}".system_logs ORDER BY 1`)
  t.equal(got.rows.length, objects.length + 1)
  let bad = 0
  for (const [seq, o] of objects.entries()) {
    const wanted = JSON.parse(JSON.stringify(o))
    if (!t.same(got.rows[seq], { seq, v: wanted }, `object ${seq}`, { diagnostic: true }) && ++bad > 5) break
  }
  t.same(got.rows[objects.length], { seq: objects.length, v: '[Buffer 6 bytes]' }, 'a Buffer is shown by its length')
})
