import t from 'tap'
import { consumerDir, runFixture } from './support/consumer.js'
import { databaseUrl, freshTarget, rows } from './support/db.js'

const LINES = 100_000

for (const mode of ['exit', 'natural', 'close', 'sigterm'] as const) {
  t.test(`a flood, then ${mode === 'natural' ? 'the end of the program' : mode}: a warn row counts every suppressed line`, async t => {
    const { target, client } = await freshTarget(t)
    const run = await runFixture(consumerDir(t), 'rate-limit-exit-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: String(LINES), MODE: mode })
    if (mode === 'sigterm') t.equal(run.signal, 'SIGTERM', run.stderr)
    else t.equal(run.code, 0, run.stderr)
    const got = await rows<Record<string, any>>(client, target)
    const kept = got.filter(r => r.message === 'flooding')
    const reports = got.filter(r => r.message === 'rate limit: lines suppressed')
    t.ok(kept.length > 0 && kept.length < 1000, `${kept.length} lines let through`)
    t.equal(reports.length, 1, 'one report')
    t.match(reports[0], { level: 'warn', logger: 'flood', context: { rate_limited: /flooding/ } })
    t.equal(reports[0]?.context.suppressed, LINES - kept.length, 'the report counts every line not stored')
  })
}
