import t from 'tap'
import { quoteIdent } from '../lib/core/identifiers.js'
import { migrate } from '../lib/database/migrate.js'
import { cli } from './support/cli.js'
import { databaseUrl, freshTarget, rows, transportLogger } from './support/db.js'

const month = (offset: number): string => {
  const now = new Date()
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
  return `system_logs_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

t.test('after DROP TABLE, migrate builds the table again and says so; rows land in it', async t => {
  const { target, client } = await freshTarget(t)
  await client.query(`DROP TABLE ${quoteIdent(target.schema)}.system_logs`)
  const r = await cli('migrate', '--url', databaseUrl(), '--schema', target.schema)
  t.equal(r.code, 0, r.err)
  t.match(r.out, `created again: table ${target.schema}.system_logs`)
  t.notMatch(r.out, /up to date/)
  const { logger, end } = await transportLogger(t, target)
  logger.info({ n: 1 }, 'after repair')
  await end()
  t.same((await rows(client, target)).map(row => row.message), ['after repair'])
  const again = await cli('migrate', '--url', databaseUrl(), '--schema', target.schema)
  t.match(again.out, /is up to date/)
})

t.test('a dropped function, index or partition is created again, each named', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  const idx = await client.query(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = '${s}.system_logs'::regclass AND pg_get_indexdef(indexrelid) LIKE '%hash (user_id)%'`)
  await client.query(`DROP FUNCTION ${s}.curator_log_drop_partitions(text, text, timestamptz, boolean); DROP INDEX ${idx.rows[0].name}; DROP TABLE ${s}.${month(1)}`)
  const result = await migrate(client, target)
  t.same(result.applied, [])
  t.same(result.repaired.sort(), [`function ${target.schema}.curator_log_drop_partitions`, 'index hash (user_id)', `partition ${target.schema}.${month(1)}`].sort())
  const fn = await client.query(`SELECT ${s}.curator_log_drop_partitions($1, $2, '2000-01-01', false)`, [target.schema, target.table])
  t.equal(fn.rowCount, 0, 'the function works again')
  const defs = await client.query(`SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = '${s}.system_logs'::regclass`)
  t.ok(defs.rows.some(r => /USING hash \(user_id\)/.test(r.def)), 'the index is back')
  t.same((await migrate(client, target)).repaired, [], 'nothing left to repair')
})

t.test('a table of the same name that is not partitioned is named, not touched', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  await client.query(`DROP TABLE ${s}.system_logs; CREATE TABLE ${s}.system_logs (x int); INSERT INTO ${s}.system_logs VALUES (1)`)
  const r = await cli('migrate', '--url', databaseUrl(), '--schema', target.schema)
  t.equal(r.code, 1)
  t.match(r.err, `${target.schema}.system_logs exists but is not a partitioned table`)
  t.equal((await client.query(`SELECT count(*)::int AS n FROM ${s}.system_logs`)).rows[0].n, 1)
})

t.test('a dropped side table (the batch markers) is created again, and the lines the worker was retrying land', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  await client.query(`DROP TABLE ${s}.curator_log_batches`)
  // The worker's advice for this state is "run curator-log migrate": it must be enough.
  const r = await cli('migrate', '--url', databaseUrl(), '--schema', target.schema)
  t.equal(r.code, 0, r.err)
  t.match(r.out, `created again: table ${target.schema}.curator_log_batches`)
  const { logger, end } = await transportLogger(t, target)
  logger.info({ n: 1 }, 'after repair')
  await end()
  t.same((await rows(client, target)).map(row => row.message), ['after repair'])
  t.same((await migrate(client, target)).repaired, [], 'nothing left to repair')
})
