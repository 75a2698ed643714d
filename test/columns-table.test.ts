import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { from as copyFrom } from 'pg-copy-streams'
import t from 'tap'
import { qualifiedTable } from '../lib/core/identifiers.js'
import { COLUMN_SPECS } from '../lib/core/columns.js'
import { Sanitizer } from '../lib/sanitizer/index.js'
import { encodeRow } from '../transport/copy-text.js'
import { copyStatement } from '../lib/database/copy-writer.js'
import { LevelNames } from '../lib/core/levels.js'
import { createLineEncoder } from '../transport/line-to-row.js'
import { createRowMapper } from '../transport/record-to-row.js'
import { freshTarget } from './support/db.js'

t.test('the column spec is the migrated table: names, types, NOT NULL, in the table\'s order', async t => {
  const { target, client } = await freshTarget(t)
  const r = await client.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull"
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [qualifiedTable(target)])
  // id is the table's own (bigserial): no line feeds it.
  t.same(r.rows[0], { name: 'id', type: 'bigint', notNull: true })
  t.same(r.rows.slice(1), COLUMN_SPECS.map(c => ({ name: c.name, type: c.type, notNull: c.notNull })))
})

// A value each single-key column takes, by its reader: the row read back by column name must hold it.
const SAMPLES = { string: 'svc-α', text: 'v-7', int32: 404, number: 12.5 } as const

t.test('each column fed by a key of its own gets that key\'s value through COPY, on both paths', async t => {
  const { target, client } = await freshTarget(t)
  const keyed = COLUMN_SPECS.filter(c => c.source in SAMPLES)
  t.ok(keyed.length >= 10, 'the spec has keyed columns')
  const record: Record<string, unknown> = { level: 30, time: Date.now(), msg: 'spec row' }
  for (const c of keyed) record[c.keys[0]] = SAMPLES[c.source as keyof typeof SAMPLES]
  const options = { sanitizer: new Sanitizer(), levels: new LevelNames(), messageKey: 'msg', errorKey: 'err', maxMessageLength: 65536, window: () => ({ from: 0, to: 8.64e15 }) }
  const full = encodeRow(createRowMapper(options)(record, Date.now()))
  const fast = createLineEncoder(options)(JSON.stringify(record), Date.now())?.copyLine
  t.ok(fast, 'the fast path maps the line')
  await pipeline(Readable.from([full + '\n' + fast + '\n']), client.query(copyFrom(copyStatement(target))))
  const rows = await client.query(`SELECT * FROM ${qualifiedTable(target)} ORDER BY id`)
  t.equal(rows.rowCount, 2)
  for (const [n, row] of rows.rows.entries()) {
    const path = n === 0 ? 'full' : 'fast'
    for (const c of keyed) t.equal(row[c.name], record[c.keys[0]], `${path}: ${c.name} from ${c.keys[0]}`)
    t.same(row.context, {}, `${path}: nothing left in context`)
    t.same([row.level, row.message], ['info', 'spec row'])
  }
})
