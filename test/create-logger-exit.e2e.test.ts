import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { consumerDir, runFixture } from './support/consumer.js'
import { assertSeqs, connect, databaseUrl, freshTarget, ownServer, range } from './support/db.js'

for (const mode of ['sigterm', 'sigint'] as const) {
  t.test(`${mode.toUpperCase()} right after 50 000 lines: all land, and the signal still ends the process`, async t => {
    const { target, client } = await freshTarget(t)
    const run = await runFixture(consumerDir(t), 'create-logger-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: '50000', MODE: mode })
    t.equal(run.signal, mode.toUpperCase(), run.stderr)
    await assertSeqs(t, client, target, range(50_000))
  })
}

t.test('SIGTERM with two loggers: the lines of both land, and the signal still ends the process', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runFixture(consumerDir(t), 'create-logger-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: '5000', MODE: 'two-loggers' }, 30_000)
  t.equal(run.signal, 'SIGTERM', run.stderr)
  await assertSeqs(t, client, target, range(10_000))
})

t.test('SIGTERM with an application handler: flushed, and the application decides when to exit', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runFixture(consumerDir(t), 'create-logger-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: '20000', MODE: 'sigterm-own-handler' })
  t.equal(run.code, 0, run.stderr)
  await assertSeqs(t, client, target, range(20_001))
})

t.test('SIGTERM while the database is down: what cannot be committed in time is spilled, then loaded by the next process', async t => {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-sigterm-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const app = consumerDir(t)
  const first = await runFixture(app, 'create-logger-app.mjs', { DATABASE_URL: url, SCHEMA: 'public', LINES: '30000', MODE: 'sigterm', SPILL_DIR: dir, CLOSE_MS: '1500' })
  t.equal(first.signal, 'SIGTERM', first.stderr)
  t.ok(readdirSync(dir).some(f => f.startsWith('spill-')), 'spilled to disk')
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, { schema: 'public', table: 'system_logs' })
  // The next processes load the leftovers in the background while they run; on a loaded machine
  // one may end before it has loaded them all, and leaves the rest, with its progress, to the next.
  for (let run = 0; run < 6 && readdirSync(dir).some(f => f.startsWith('spill-')); run++) {
    const next = await runFixture(app, 'create-logger-app.mjs', { DATABASE_URL: url, SCHEMA: 'public', LINES: '0', MODE: 'sigterm', SPILL_DIR: dir, WAIT_MS: '3000' })
    t.equal(next.signal, 'SIGTERM', next.stderr)
  }
  await assertSeqs(t, client, { schema: 'public', table: 'system_logs' }, range(30_000))
})

for (const mode of ['uncaught', 'rejection'] as const) {
  t.test(`an ${mode === 'uncaught' ? 'uncaught exception' : 'unhandled rejection'} is logged at fatal with its stack before the process dies`, async t => {
    const { target, client } = await freshTarget(t)
    const run = await runFixture(consumerDir(t), 'create-logger-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: '1000', MODE: mode })
    t.equal(run.code, 1, 'the process still fails')
    const fatal = await client.query(`SELECT * FROM "${target.schema}".system_logs WHERE level = 'fatal'`)
    t.equal(fatal.rowCount, 1)
    t.match(fatal.rows[0], mode === 'uncaught'
      ? { error_type: 'TypeError', error_message: 'kaboom', stack_trace: /TypeError: kaboom/, message: 'uncaught exception', request_id: null }
      : { error_type: 'RangeError', error_message: 'nobody caught me', message: 'unhandled rejection' })
    const n = await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".system_logs`)
    t.equal(n.rows[0].n, 1001, 'and every line before it')
  })
}

t.test('console output: JSON lines on a pipe; without a database one warning and console only', async t => {
  const { target, client } = await freshTarget(t)
  const both = await runFixture(consumerDir(t), 'create-logger-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, LINES: '3', MODE: 'console' })
  t.equal(both.code, 0, both.stderr)
  const lines = both.stdout.trim().split('\n').map(l => JSON.parse(l))
  t.match(lines, [{ msg: 'app line', seq: 0, request_id: 'child-run', name: 'app' }, { seq: 1 }, { seq: 2 }])
  t.equal((await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".system_logs`)).rows[0].n, 3, 'and in the database')

  const env = { ...process.env, DATABASE_URL: '', SCHEMA: target.schema, LINES: '2', MODE: 'nodb' }
  const nodb = await runFixture(consumerDir(t), 'create-logger-app.mjs', env)
  t.equal(nodb.code, 0, nodb.stderr)
  const out = nodb.stdout.trim().split('\n').map(l => JSON.parse(l))
  t.equal(out.filter(l => /no database configured/.test(l.msg)).length, 1, 'one warning')
  t.equal(out.filter(l => l.msg === 'app line').length, 2)

  const pretty = await runFixture(consumerDir(t), 'create-logger-app.mjs', { ...env, LOG_PRETTY: 'true' })
  t.match(pretty.stdout, /INFO.*\(app\/\d+\): app line|INFO.*app line/)
})
