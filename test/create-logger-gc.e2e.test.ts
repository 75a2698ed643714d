// Issue 15: pino holds its transport weakly once the worker is ready, so a logger the application no
// longer references is collected and its worker killed without a close. createLogger must hold it.
import t from 'tap'
import { GC_AT_EXIT, consumerDir, runFixture } from './support/consumer.js'
import { assertSeqs, databaseUrl, freshTarget, range } from './support/db.js'

t.test('a createLogger logger dropped by the application still delivers every line when a GC runs at exit', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runFixture(consumerDir(t), 'dropped-logger-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: '50' }, 60_000, { nodeArgs: GC_AT_EXIT })
  t.equal(run.code, 0, run.stderr)
  await assertSeqs(t, client, target, range(50))
})
