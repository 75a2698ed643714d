import t from 'tap'
import { consumerDir, runFixture } from './support/consumer.js'
import { count, databaseUrl, freshTarget } from './support/db.js'

const LINES = 20_000

for (const mode of ['natural', 'exit', 'targets'] as const) {
  t.test(`by target name from a consumer project, ending by ${mode === 'natural' ? 'normal exit' : mode === 'exit' ? 'process.exit()' : 'normal exit beside pino-pretty'}: every line committed`, async t => {
    const { target, client } = await freshTarget(t)
    const dir = consumerDir(t)
    const run = await runFixture(dir, 'consumer-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: String(LINES), MODE: mode })
    t.equal(run.code, 0, run.stderr)
    t.equal(await count(client, target), LINES)
    if (mode === 'targets') t.match(run.stdout, /consumer line/, 'pino-pretty printed too')
  })
}

t.test('logger.flush(cb) calls back once the lines are committed', async t => {
  const { target } = await freshTarget(t)
  const dir = consumerDir(t)
  const run = await runFixture(dir, 'consumer-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: String(LINES), MODE: 'flush' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, `committed-at-flush=${LINES}`)
})
