import t from 'tap'
import { runApp } from './support/delivery-app.js'
import { databaseUrl } from './support/db.js'
import { spillDir } from './support/spill-files.js'

// A short script ends while the app thread waits for the worker's close: what the worker wrote to
// stderr then must reach stderr before the process is gone.

t.test('a short script against a database without the table: the warning says to run migrate', async t => {
  const schema = `not_migrated_${process.pid}_${Date.now()}`
  const run = await runApp(t, { SCHEMA: schema, LINES: '1', SPILL_DIR: spillDir(t) })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, `run \`curator-log migrate --schema ${schema}\` for ${schema}.system_logs`, 'stderr names the command that creates this table')
})

t.test('a short script against a server that refuses connections: the warning names the server', async t => {
  const url = new URL(databaseUrl())
  url.port = '1'
  const run = await runApp(t, { DATABASE_URL: url.href, LINES: '1', SPILL_DIR: spillDir(t) })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /cannot write to PostgreSQL \(.*ECONNREFUSED.*check the connection string \(connectionString or DATABASE_URL\)/, 'stderr says why nothing was written and what to check')
})
