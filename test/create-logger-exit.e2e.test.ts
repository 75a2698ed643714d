import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { ROOT, consumerDir, runFixture } from './support/consumer.js'
import { BIN } from './support/cli.js'
import { assertSeqs, connect, databaseUrl, freshTarget, ownServer, range, rows } from './support/db.js'

// pg reads these when no connection string is given; empty is unset to pg and to curator-log.
const NO_PG = { PGHOST: '', PGPORT: '', PGDATABASE: '', PGUSER: '', PGPASSWORD: '' }

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

  const env = { ...process.env, ...NO_PG, DATABASE_URL: '', SCHEMA: target.schema, LINES: '2', MODE: 'nodb' }
  const nodb = await runFixture(consumerDir(t), 'create-logger-app.mjs', env)
  t.equal(nodb.code, 0, nodb.stderr)
  const out = nodb.stdout.trim().split('\n').map(l => JSON.parse(l))
  t.equal(out.filter(l => /no database configured/.test(l.msg)).length, 1, 'one warning')
  t.equal(out.filter(l => l.msg === 'app line').length, 2)

  const pretty = await runFixture(consumerDir(t), 'create-logger-app.mjs', { ...env, LOG_PRETTY: 'true' })
  t.match(pretty.stdout, /INFO.*\(app\/\d+\): app line|INFO.*app line/)
})

t.test('no DATABASE_URL but the PG* variables: createLogger writes where they point, as the CLI reads', async t => {
  const { target, client } = await freshTarget(t)
  const u = new URL(databaseUrl())
  const pgVariables = { PGHOST: u.hostname, PGPORT: u.port, PGDATABASE: decodeURIComponent(u.pathname.slice(1)), PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password) }
  const run = await runFixture(consumerDir(t), 'create-logger-app.mjs', { ...pgVariables, DATABASE_URL: '', SCHEMA: target.schema, LINES: '20', MODE: 'exit' })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stderr, '', 'no warning')
  await assertSeqs(t, client, target, range(20))
  for (const row of await rows<Record<string, any>>(client, target)) t.match(row, { logger: 'app', message: 'app line', request_id: 'child-run' })
  const stats = spawnSync(process.execPath, [BIN, 'stats', '--schema', target.schema], { env: { ...process.env, ...pgVariables, DATABASE_URL: '' }, encoding: 'utf8' })
  t.match(stats.stdout, /total rows 20\b/, stats.stderr)
})

t.test('the console off and no database: createLogger throws, on stderr, instead of writing nowhere', async t => {
  const cases = [
    [{ MODE: 'exit' }, 'console: false needs a database, and none is configured (set DATABASE_URL, the PG* variables or database.connectionString): the logger would write nowhere'],
    [{ MODE: 'nodb', LOG_CONSOLE: 'false' }, 'LOG_CONSOLE=false needs a database, and none is configured (set DATABASE_URL, the PG* variables or database.connectionString): the logger would write nowhere'],
    [{ MODE: 'nodb', LOG_CONSOLE: 'off', LOG_DATABASE: '0', DATABASE_URL: databaseUrl() }, 'LOG_CONSOLE=off needs a database output, and LOG_DATABASE=0 turns it off: the logger would write nowhere']
  ] as const
  const dir = consumerDir(t)
  for (const [env, message] of cases) {
    const run = await runFixture(dir, 'create-logger-app.mjs', { ...NO_PG, DATABASE_URL: '', LINES: '5', ...env })
    t.equal(run.code, 1, 'the application fails at start')
    t.equal(run.stdout, '')
    t.match(run.stderr, `OptionError [TypeError]: curator-log: ${message}\n`)
    t.match(run.stderr, "code: 'CURATOR_LOG_ERR_OPTION_CONFLICT'")
  }
})

// The machine's own node, when it is of a line older than the supported ones (this one's is 20).
const OLD_NODE = '/usr/bin/node'
const oldVersion = spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim() ?? ''

t.test('on an unsupported Node.js line, createLogger and the CLI say so once, in one line on stderr', { skip: Number(oldVersion.split('.')[0]) < 22 ? false : `no Node.js older than 22 at ${OLD_NODE}` }, async t => {
  const warning = `curator-log: Node.js ${oldVersion} is not supported (22 or later is); nothing is tested on it\n`
  const dir = consumerDir(t)
  copyFileSync(`${ROOT}/test/fixtures/create-logger-app.mjs`, `${dir}/create-logger-app.mjs`)
  const env = { ...process.env, ...NO_PG, DATABASE_URL: '', NODE_OPTIONS: '', LINES: '2', MODE: 'nodb' }
  const app = spawnSync(OLD_NODE, ['create-logger-app.mjs'], { cwd: dir, env, encoding: 'utf8' })
  t.equal(app.status, 0, app.stderr)
  t.equal(app.stderr, warning)
  t.equal(app.stdout.trim().split('\n').filter(l => JSON.parse(l).msg === 'app line').length, 2, 'and it logs')
  const cli = spawnSync(OLD_NODE, [BIN, '--help'], { env, encoding: 'utf8' })
  t.equal(cli.status, 0)
  t.equal(cli.stderr, warning)
  t.match(cli.stdout, /^curator-log <command>/)
  const supported = spawnSync(process.execPath, [BIN, '--help'], { env, encoding: 'utf8' })
  t.equal(supported.stderr, '', `nothing on Node.js ${process.versions.node}`)
})
