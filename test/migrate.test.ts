import t from 'tap'
import { logTarget, quoteIdent } from '../lib/core/identifiers.js'
import { loadMigrations, migrate } from '../lib/database/migrate.js'
import { connect, freshTarget } from './support/db.js'

t.test('applies every file once, then nothing', async t => {
  const { target, client } = await freshTarget(t, { migrate: false })
  const first = await migrate(client, target)
  t.same(first.applied, loadMigrations(target).map(m => m.name))
  t.same(first.alreadyApplied, [])
  const second = await migrate(client, target)
  t.same(second.applied, [])
  t.same(second.alreadyApplied, first.applied)
  const ledger = await client.query(`SELECT version FROM ${quoteIdent(target.schema)}.curator_log_migrations`)
  t.equal(ledger.rowCount, first.applied.length)
})

t.test('two processes migrating at once apply each file once', async t => {
  const { target } = await freshTarget(t, { migrate: false })
  const [a, b] = await Promise.all([connect(t), connect(t)])
  const results = await Promise.all([migrate(a, target), migrate(b, target)])
  t.same(results.map(r => r.applied.length).sort(), [0, loadMigrations(target).length])
})

t.test('creates a partitioned table with the current month and three ahead', async t => {
  const { target, client } = await freshTarget(t)
  const parts = await client.query(`SELECT partition_name FROM ${quoteIdent(target.schema)}.curator_log_partitions($1, $2)`, [target.schema, target.table])
  const now = new Date()
  const expected = [0, 1, 2, 3].map(i => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1))
    return `system_logs_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`
  })
  t.same(parts.rows.map(r => r.partition_name), expected)
})

t.test('a failing file rolls back and names itself', async t => {
  const { target, client } = await freshTarget(t, { migrate: false })
  // A table already standing where 001 wants to create one makes the file fail.
  await client.query(`CREATE SCHEMA ${quoteIdent(target.schema)}; CREATE TABLE ${quoteIdent(target.schema)}.system_logs (x int)`)
  await t.rejects(migrate(client, target), /migration 001_system_logs\.sql failed: .*already exists/)
  const ledger = await client.query(`SELECT count(*)::int AS n FROM ${quoteIdent(target.schema)}.curator_log_migrations`)
  t.equal(ledger.rows[0].n, 0, 'nothing recorded')
})

t.test('schema and table names are validated identifiers', async t => {
  t.same(logTarget(), { schema: 'public', table: 'system_logs' })
  t.throws(() => logTarget('public; DROP TABLE x', 'logs'), /schema must be a lower-case SQL identifier/)
  t.throws(() => logTarget('public', 'Logs'), /table must be/)
  t.throws(() => logTarget('public', 'a'.repeat(56)), /at most 55/)
  t.throws(() => logTarget('public', ''), /table must be/)
  t.throws(() => logTarget(42, 'x'), /schema must be/)
})
