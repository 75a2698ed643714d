import t from 'tap'
import { bin, cli } from './support/cli.js'
import { databaseUrl, freshTarget } from './support/db.js'
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
  t.equal(url.code, 1)
  t.match(url.err, /not a valid connection string/)
  t.notMatch(url.err, /secret/, 'the password is not echoed')

  const port = await freePort()
  const down = await cli('migrate', '--url', `postgres://postgres:pw@127.0.0.1:${port}/postgres`)
  t.equal(down.code, 1)
  t.match(down.err, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}/postgres as postgres: connection refused.*ECONNREFUSED`))

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

t.test('demo without a database: a throwaway server, and a last line that does not point at it', async t => {
  const r = await bin(['demo', '--requests', '60'], { DATABASE_URL: undefined })
  t.equal(r.code, 0, r.err)
  t.match(r.out, /starting a throwaway PostgreSQL, removed when the demo ends/)
  t.match(r.out, /the throwaway PostgreSQL is removed now; to keep the rows and look around, run the demo with DATABASE_URL set\n$/)
  t.notMatch(r.out, /look it up yourself/)
})
