import t from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { bin, cli } from './support/cli.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'

// Each test starts the built binary (or npm, or a server) several times: minutes on a loaded machine.
t.setTimeout(600_000)

const STACK = /\n\s+at /

t.test('a dropped table: stats, query and tail say one line, run curator-log migrate first, exit 1', async t => {
  const { target, client } = await freshTarget(t)
  await client.query(`DROP TABLE "${target.schema}".system_logs`)
  for (const command of ['stats', 'query', 'tail']) {
    const r = await bin([command, '--url', databaseUrl(), '--schema', target.schema])
    t.equal(r.code, 1, command)
    t.match(r.err, new RegExp(`^curator-log ${command}: ${target.schema}\\.system_logs is not set up \\(.*\\): name the log table with --schema and --table if it is elsewhere, or run curator-log migrate --schema ${target.schema} to create it\\n$`), command)
    t.notMatch(r.err, STACK, `${command}: no stack trace`)
  }
  const debug = await bin(['stats', '--url', databaseUrl(), '--schema', target.schema, '--debug'])
  t.equal(debug.code, 1)
  t.match(debug.err, STACK, '--debug shows the stack')
})

t.test('a table not migrated after an upgrade (a column missing): query --trace-id says to run migrate, exit 1, and migrate fixes it', async t => {
  // As a table from before 003_trace_columns: without trace_id, and the ledger without that migration.
  const { target, client } = await freshTarget(t)
  await client.query(`ALTER TABLE "${target.schema}".system_logs DROP COLUMN trace_id`)
  await client.query(`DELETE FROM "${target.schema}".curator_log_migrations WHERE version = 3`)
  // query reads SELECT *: the column is named by the filter on it.
  const argv = ['query', '--url', databaseUrl(), '--schema', target.schema, '--trace-id', '4bf92f3577b34da6a3ce929d0e0e4736']
  const r = await bin(argv)
  t.equal(r.code, 1, r.err)
  t.match(r.err, new RegExp(`^curator-log query: ${target.schema}\\.system_logs lacks a column this version reads \\(.*"trace_id".*\\): run curator-log migrate --schema ${target.schema} to upgrade it\\n$`))
  t.notMatch(r.err, STACK)
  t.equal((await bin(['migrate', '--url', databaseUrl(), '--schema', target.schema])).code, 0, 'the advice works')
  t.equal((await bin(argv)).code, 0, 'query runs after migrate')
})

t.test('usage errors: one line and where the help is, exit 2', async t => {
  for (const [argv, message] of [
    [['query', '--nope'], /^curator-log query: unknown option --nope\n/],
    [['query', '--since', '1h', '--from', '2026-01-01'], /--since cannot be combined with --from or --until/],
    [['query', '--since', '1h', '--until', '2026-01-01'], /--since cannot be combined with --from or --until/],
    [['tail', '--where', '[{"a":1}]'], /--where must be a JSON object/],
    [['query', '--where', '7'], /--where must be a JSON object/]
  ] as const) {
    const r = await bin([...argv])
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.err, message)
    t.equal(r.err.trim().split('\n').length, 2, 'the error and the pointer, not the help')
    t.match(r.err, new RegExp(`\\nsee curator-log ${argv[0]} --help\\n$`))
  }
  const unknown = await bin(['frobnicate'])
  t.equal(unknown.code, 2)
  t.equal(unknown.err, 'curator-log: unknown command "frobnicate"; see curator-log --help\n')
})

t.test('a command named like a property of every object is an unknown command, exit 2', async t => {
  // Looked up on a plain object, these found Object.prototype's members: exit 1, "command.run is not a function".
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'toLocaleString']) {
    const r = await bin([name])
    t.equal(r.code, 2, name)
    t.match(r.err, new RegExp(`^curator-log: unknown command ${JSON.stringify(name)}( \\(did you mean \\w+\\?\\))?; see curator-log --help\\n$`), name)
    t.equal(r.out, '', name)
  }
})

t.test('a misspelt flag or command: the one meant is suggested, exit 2, nothing run', async t => {
  for (const [argv, line] of [
    [['query', '--request_id', 'r-1'], 'curator-log query: unknown option --request_id (did you mean --request-id?)'],
    [['query', '--requestId=r-1'], 'curator-log query: unknown option --requestId (did you mean --request-id?)'],
    [['query', '-request-id', 'r-1'], 'curator-log query: unknown option -request-id (did you mean --request-id?)'],
    [['tail', '--Level', 'warn'], 'curator-log tail: unknown option --Level (did you mean --level?)'],
    [['query', '--limt', '3'], 'curator-log query: unknown option --limt (did you mean --limit?)'],
    [['migrate', '--shema', 's'], 'curator-log migrate: unknown option --shema (did you mean --schema?)'],
    [['maintain', '--retention-day=7'], 'curator-log maintain: unknown option --retention-day (did you mean --retention-days?)'],
    [['stats', '--nothing-like-it'], 'curator-log stats: unknown option --nothing-like-it'],
    [['maintain', '--to', 'x'], 'curator-log maintain: unknown option --to']
  ] as const) {
    // An unreachable --url: a flag that got past parsing would fail to connect, exit 1, not 2.
    const r = await cli(...argv, '--url', 'postgres://nobody@127.0.0.1:1/none')
    t.equal(r.code, 2, argv.join(' '))
    t.equal(r.err, `${line}\nsee curator-log ${argv[0]} --help\n`, argv.join(' '))
    t.equal(r.out, '', argv.join(' '))
  }
  const command = await bin(['qeury', '--request-id', 'r-1'])
  t.equal(command.code, 2)
  t.equal(command.err, 'curator-log: unknown command "qeury" (did you mean query?); see curator-log --help\n')
})

t.test('a time filter PostgreSQL cannot hold, or that is no time, is a usage error before any query: one line, exit 2', async t => {
  // A schema with the table: the old code reached PostgreSQL and exited 1 with its 22007/22008 error.
  const { target } = await freshTarget(t)
  for (const [command, flag, value] of [
    ['query', '--since', '99999999999999999999999d'],
    ['query', '--since', '9'.repeat(400) + 'w'],
    ['tail', '--since', '99999999999999999999999d'],
    ['query', '--since', '2000000000h'],
    ['query', '--since', '2500000d'],
    ['query', '--since', '1e9d'],
    ['query', '--since', 'NaNd'],
    ['query', '--from', '-004714-01-01T00:00:00Z'],
    ['query', '--from', '-271821-04-20T00:00:00Z'],
    ['query', '--until', '-004713-11-23T23:59:59Z'],
    ['query', '--until', '+275760-09-14T00:00:00Z'],
    ['query', '--from', 'NaN'],
    ['query', '--from', '2026-13-45'],
    ['tail', '--until', 'yesterday-ish']
  ] as const) {
    const r = await cli(command, '--url', databaseUrl(), '--schema', target.schema, `${flag}=${value}`)
    const label = `${command} ${flag} ${value.slice(0, 40)}`
    t.equal(r.code, 2, label)
    t.match(r.err, new RegExp(`^curator-log ${command}: ${flag} [^\n]+\nsee curator-log ${command} --help\n$`), label)
    t.notMatch(r.err, /PostgreSQL|NaN-NaN|out of range/, label)
    t.equal(r.out, '', label)
  }
  // The edges PostgreSQL holds still work.
  for (const [flag, value] of [['--from', '-004713-11-24T00:00:00Z'], ['--until', '+275760-09-13T00:00:00Z'], ['--since', '2000000d']] as const) {
    const r = await cli('query', '--url', databaseUrl(), '--schema', target.schema, `${flag}=${value}`)
    t.equal(r.code, 0, `${flag} ${value}: ${r.err}`)
  }
})

t.test('a --url that is not a connection string is a usage error before anything runs: one line naming --url, exit 2', async t => {
  const commands = [['migrate'], ['maintain'], ['query'], ['tail'], ['stats'], ['demo', '--requests', '1']]
  for (const url of ['notaurl', 'not a url', 'postgres://u:p@[bad', 'postgres://u@127.0.0.1:99999/db', 'postgres://u@127.0.0.1:x/db', 'host=x bogus']) {
    for (const [command, ...rest] of commands) {
      for (const argv of command === 'query' ? [[command, '--url', url], [command, `--url=${url}`]] : [[command, ...rest, '--url', url]]) {
        // Without the test server's DATABASE_URL: its password, postgres, would be masked in the advice.
        const r = await bin(argv, { DATABASE_URL: undefined })
        const what = argv.join(' ')
        t.equal(r.code, 2, what)
        t.equal(r.err, `curator-log ${command}: --url is not a valid connection string: use postgres://user:password@host:port/database or host=… port=… dbname=… user=…\nsee curator-log ${command} --help\n`, what)
        t.equal(r.out, '', `${what}: nothing run`)
      }
    }
  }
  // DATABASE_URL is no flag: a bad one is a failure to fix in the environment, exit 1.
  const env = await bin(['stats'], { DATABASE_URL: 'not a url' })
  t.equal(env.code, 1)
  t.equal(env.err, 'curator-log stats: DATABASE_URL is not a valid connection string: use postgres://user:password@host:port/database or host=… port=… dbname=… user=…\n')
})

t.test('a keyword/value connection string connects where it says, in the CLI and the transport', async t => {
  const { target } = await freshTarget(t)
  const u = new URL(databaseUrl())
  const keywords = `host=${u.hostname} port=${u.port} dbname=${u.pathname.slice(1)} user=${decodeURIComponent(u.username)} password='${decodeURIComponent(u.password).replace(/['\\]/g, c => '\\' + c)}'`
  const { logger, end } = await transportLogger(t, target, {}, {}, keywords)
  logger.info('through a keyword/value string')
  await end()
  const r = await bin(['stats', '--url', keywords, '--schema', target.schema])
  t.equal(r.code, 0, r.err)
  t.match(r.out, /total rows 1/)
})

t.test('an unreachable server: one line naming host, port and the cause', async t => {
  const port = await freePort()
  const r = await bin(['query', '--url', `postgres://app@127.0.0.1:${port}/logs`])
  t.equal(r.code, 1)
  t.equal(r.err, `curator-log query: cannot connect to 127.0.0.1:${port}/logs as app: connection refused: is PostgreSQL running and listening there? (ECONNREFUSED); check --url or DATABASE_URL\n`)
})
