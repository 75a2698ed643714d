import t from 'tap'
import { quoteIdent } from '../lib/core/identifiers.js'
import { freshTarget } from './support/db.js'

t.test('create_partitions makes exactly the missing months; drop_partitions removes exactly the expired ones', async t => {
  const { target, client } = await freshTarget(t)
  const fn = (name: string): string => `${quoteIdent(target.schema)}.${name}`
  const list = async (): Promise<string[]> =>
    (await client.query(`SELECT partition_name FROM ${fn('curator_log_partitions')}($1, $2)`, [target.schema, target.table])).rows.map(r => r.partition_name)
  const before = await list()

  const created = await client.query(`SELECT ${fn('curator_log_create_partitions')}($1, $2, '2020-11-15T12:00:00Z', 2) AS p`, [target.schema, target.table])
  t.same(created.rows.map(r => r.p), ['system_logs_2020_11', 'system_logs_2020_12', 'system_logs_2021_01'])
  const again = await client.query(`SELECT ${fn('curator_log_create_partitions')}($1, $2, '2020-12-01T00:00:00Z', 1) AS p`, [target.schema, target.table])
  t.same(again.rows, [], 'existing months are left alone')

  // Rows land in the partition of their UTC month, including the first and last instants.
  await client.query(`INSERT INTO ${quoteIdent(target.schema)}.system_logs (timestamp, level) VALUES
    ('2020-11-30T23:59:59.999Z', 'info'), ('2020-12-01T00:00:00Z', 'info'), ('2021-01-31T23:59:59Z', 'info')`)
  const where = await client.query(`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM ${quoteIdent(target.schema)}.system_logs GROUP BY 1 ORDER BY 1`)
  t.same(where.rows.map(r => [r.part.split('.').pop(), r.n]), [['system_logs_2020_11', 1], ['system_logs_2020_12', 1], ['system_logs_2021_01', 1]])

  // Dec 2020 ends at 2021-01-01: a cutoff inside January drops Nov and Dec only.
  const dropped = await client.query(`SELECT ${fn('curator_log_drop_partitions')}($1, $2, '2021-01-20T00:00:00Z') AS p`, [target.schema, target.table])
  t.same(dropped.rows.map(r => r.p), ['system_logs_2020_11', 'system_logs_2020_12'])
  t.same(await list(), ['system_logs_2021_01', ...before])

  const detached = await client.query(`SELECT ${fn('curator_log_drop_partitions')}($1, $2, '2021-02-01T00:00:00Z', true) AS p`, [target.schema, target.table])
  t.same(detached.rows.map(r => r.p), ['system_logs_2021_01'])
  const still = await client.query('SELECT to_regclass($1) AS r', [`${target.schema}.system_logs_2021_01`])
  t.ok(still.rows[0].r, 'a detached partition is kept as a table')
  t.same(await list(), before)
})

t.test('months ahead is bounded', async t => {
  const { target, client } = await freshTarget(t)
  await t.rejects(client.query(`SELECT ${quoteIdent(target.schema)}.curator_log_create_partitions($1, $2, now(), 5000)`, [target.schema, target.table]), /between 0 and 120/)
})

t.test('a statistics target set on the table reaches the partitions created after it', async t => {
  const { target, client } = await freshTarget(t)
  const schema = quoteIdent(target.schema)
  await client.query(`ALTER TABLE ${schema}.system_logs ALTER COLUMN context SET STATISTICS 1000, ALTER COLUMN message SET STATISTICS 0`)
  const created = await client.query(`SELECT ${schema}.curator_log_create_partitions($1, $2, '2031-01-01Z', 1) AS p`, [target.schema, target.table])
  const names = created.rows.map(r => r.p as string)
  t.same(names, ['system_logs_2031_01', 'system_logs_2031_02'])
  const { rows } = await client.query(`SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname = ANY($2) AND a.attname IN ('context', 'message', 'path') ORDER BY 1, 2`, [target.schema, names])
  // PostgreSQL 17 on reports the default as NULL, earlier versions as -1.
  const stat = (v: number | null): number | 'default' => v === null || v < 0 ? 'default' : v
  t.same(rows.map(r => [r.relname, r.attname, stat(r.attstattarget)]), names.flatMap(p => [[p, 'context', 1000], [p, 'message', 0], [p, 'path', 'default']]))
})

t.test('without a statistics target on the table, new partitions keep the default', async t => {
  const { target, client } = await freshTarget(t)
  await client.query(`SELECT ${quoteIdent(target.schema)}.curator_log_create_partitions($1, $2, '2031-01-01Z', 0)`, [target.schema, target.table])
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'system_logs_2031_01' AND a.attnum > 0 AND a.attstattarget >= 0`, [target.schema])
  t.equal(rows[0].n, 0)
})
