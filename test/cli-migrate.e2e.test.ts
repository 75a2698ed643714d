import t from 'tap'
import { bin, cli } from './support/cli.js'
import { connect, databaseUrl, freshTarget, scratchDatabase } from './support/db.js'
import { freePort } from '../lib/dev/throwaway-postgres.js'

t.test('migrate applies, then reports up to date', async t => {
  const { target } = await freshTarget(t, { migrate: false })
  const first = await cli('migrate', '--url', databaseUrl(), '--schema', target.schema)
  t.equal(first.code, 0, first.err)
  t.match(first.out, /applied 001_system_logs\.sql/)
  const second = await cli('migrate', '--url', databaseUrl(), '--schema', target.schema)
  t.equal(second.code, 0)
  t.match(second.out, /is up to date/)
})

t.test('migrate takes DATABASE_URL when there is no --url', async t => {
  const { target } = await freshTarget(t, { migrate: false })
  const r = await cli('migrate', '--schema', target.schema)
  t.equal(r.code, 0, r.err)
})

t.test('errors: usage is exit 2 with a pointer to the help, failures exit 1 with a reason', async t => {
  const bad = await cli('migrate', '--schema', 'Bad-Name')
  t.equal(bad.code, 2)
  t.match(bad.err, /--schema must be a lower-case SQL identifier/)
  t.match(bad.err, /see curator-log migrate --help\n$/)

  const flag = await cli('migrate', '--nope')
  t.equal(flag.code, 2)
  t.match(flag.err, /unknown option --nope\n/)

  const url = await cli('migrate', '--url', 'postgres://u:secret@[bad')
  t.equal(url.code, 2)
  t.match(url.err, /not a valid connection string/)
  t.notMatch(url.err, /secret/, 'the password is not echoed')

  const port = await freePort()
  // Not user postgres: that is the test server's password, masked wherever the CLI prints it.
  const down = await cli('migrate', '--url', `postgres://app:pw@127.0.0.1:${port}/logs`)
  t.equal(down.code, 1)
  t.match(down.err, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}/logs as app: connection refused.*ECONNREFUSED`))

  const unknown = await cli('frobnicate')
  t.equal(unknown.code, 2)
  t.match(unknown.err, /unknown command "frobnicate"/)
})

t.test('help', async t => {
  const top = await cli('--help')
  t.equal(top.code, 0)
  t.match(top.out, /Commands:/)
  const none = await cli()
  t.equal(none.code, 2)
  for (const command of ['migrate', 'demo']) {
    const r = await cli(command, '--help')
    t.equal(r.code, 0)
    t.match(r.out, `curator-log ${command}`)
  }
})

t.test('demo against a given database: says where it writes, uses a table of its own', async t => {
  const { target, client } = await freshTarget(t, { migrate: false })
  const r = await cli('demo', '--schema', target.schema, '--requests', '120')
  t.equal(r.code, 0, r.err)
  t.match(r.out, new RegExp(`^writing 120 requests' demo rows into ${target.schema}\\.curator_log_demo at \\S+ as \\S+; they stay there afterwards\n`))
  t.match(r.out, /120 requests served/)
  t.match(r.out, /rows per level: info=\d+ warn=\d+ error=\d+/)
  t.match(r.out, /the rows of request [0-9a-f-]{36}/)
  // The rows as `curator-log query --pretty` prints them: the column spec decides the fields.
  t.match(r.out, /ERROR \(shop-api\/\d+\): request failed with an unhandled error\n {4}request_id: "[0-9a-f-]{36}"\n(?: {4}.*\n)*? {4}err: \{\n {6}"type": "Error",\n {6}"message": "inventory service timed out for item 13"/)
  t.match(r.out, /\n {4}status_code: 500\n {4}duration_ms: [\d.]+\n/)
  t.match(r.out, /\n {4}email: "\[REDACTED\]"\n/)
  t.notMatch(r.out, /customer@example\.com/)
  t.match(r.out, new RegExp(`look it up yourself: curator-log query --schema ${target.schema} --table curator_log_demo --request-id [0-9a-f-]{36}\n`))
  const tables = await client.query('SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND relkind = \'p\'', [target.schema])
  t.same(tables.rows.map(r => r.relname), ['curator_log_demo'], 'system_logs is not touched')
  const bad = await cli('demo', '--requests', 'many')
  t.equal(bad.code, 2)
})

/** The PG* variables that name `url`'s server, database, user and password. */
function pgVariables (url: string): Record<string, string> {
  const u = new URL(url)
  return { PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1) }
}

t.test('the help says where each command connects: DATABASE_URL, else the PG* variables; the demo not those', async t => {
  const { target } = await freshTarget(t)
  const vars = { DATABASE_URL: undefined, ...pgVariables(databaseUrl()) }
  for (const command of ['migrate', 'maintain', 'query', 'tail', 'stats']) {
    const help = await cli(command, '--help')
    t.match(help.out, /\n {2}--url URL +PostgreSQL URL \(default: DATABASE_URL, else the PG\* variables\)\n/, command)
  }
  const stats = await bin(['stats', '--schema', target.schema], vars)
  t.equal(stats.code, 0, `stats connects with the PG* variables alone: ${stats.err}`)
  const demo = await cli('demo', '--help')
  t.match(demo.out, /\n {2}--url URL +PostgreSQL URL \(default: DATABASE_URL; not the PG\* variables\)\n/)
  t.match(demo.out, /In a clone of the repository \(npm run demo\), without --url or DATABASE_URL, it starts a\nthrowaway PostgreSQL/)
  const top = await cli('--help')
  t.match(top.out, /\n {2}demo +log a burst of requests into PostgreSQL \(--url or DATABASE_URL\)[^]*in a clone of the repository, npm run demo starts a throwaway PostgreSQL\n/)
})

t.test('demo without a database: a throwaway server, not the PG* variables\' one, and a last line that does not point at it', async t => {
  // The PG* variables name a database of the test's own: the demo must leave it empty.
  const url = await scratchDatabase(t, 'demo_pg')
  const r = await bin(['demo', '--requests', '60'], { DATABASE_URL: undefined, ...pgVariables(url) })
  t.equal(r.code, 0, r.err)
  const other = await connect(t, url)
  const tables = await other.query("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
  t.same(tables.rows, [], 'nothing written where the PG* variables point')
  t.match(r.out, /starting a throwaway PostgreSQL, removed when the demo ends/)
  t.match(r.out, /the throwaway PostgreSQL is removed now; to keep the rows and look around, run the demo with DATABASE_URL set\n$/)
  t.notMatch(r.out, /look it up yourself/)
})
