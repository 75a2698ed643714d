import t from 'tap'
import { consumerDir, runFixture } from './support/consumer.js'
import { databaseUrl, freshTarget } from './support/db.js'

const SECRETS = /hunter2|abcdefghijklmnop1234/

t.test('JSON console and database: the same sanitized lines in both', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runFixture(consumerDir(t), 'console-secrets-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, MODE: 'json' })
  t.equal(run.code, 0, run.stderr)
  t.notMatch(run.stdout, SECRETS, 'no secret on stdout')
  const printed = run.stdout.trim().split('\n').map(l => JSON.parse(l))
  t.equal(printed.length, 3, 'three lines printed, none forged')
  t.match(printed[0], { level: 30, time: Number, msg: 'login with Bearer [REDACTED]', user: 'ada', password: '[REDACTED]', name: 'app' })
  t.ok(printed.every(p => typeof p.level === 'number' && typeof p.time === 'number'), 'every line keeps pino\'s level and time')
  t.match(printed[1], { msg: /^ok\n\[12:00:00.000\] INFO/ })
  const rows = (await client.query(`SELECT message, context FROM "${target.schema}".system_logs ORDER BY id`)).rows
  t.match(rows[0], { message: 'login with Bearer [REDACTED]', context: { user: 'ada', password: '[REDACTED]' } })
  t.notMatch(JSON.stringify(rows), SECRETS, 'no secret in the table')
})

t.test('pretty console: secrets redacted, control characters escaped, no forged line', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runFixture(consumerDir(t), 'console-secrets-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, MODE: 'pretty' })
  t.equal(run.code, 0, run.stderr)
  t.notMatch(run.stdout, SECRETS, 'no secret on stdout')
  t.match(run.stdout, /password: "\[REDACTED\]"/)
  t.match(run.stdout, /Bearer \[REDACTED\]/)
  // eslint-disable-next-line no-control-regex
  t.notMatch(run.stdout, /[\u001b\u2028]/, 'no escape sequence or line separator reaches the terminal')
  const lines = run.stdout.split('\n').filter(l => l !== '')
  const starts = lines.filter(l => !l.startsWith(' '))
  t.equal(starts.length, 3, 'three log lines start at the margin; the rest are indented fields')
  t.ok(starts.every(l => /^\[[\d:. -]+\] (INFO|WARN|ERROR) \(app\//.test(l)), 'each is a real line')
  t.match(run.stdout, /ok\\n\[12:00:00.000\] INFO \(app\/1\): forged line\\n\{"level":30,"msg":"forged json"\}\\u001b\[2J\\u2028done/)
  t.equal((await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".system_logs`)).rows[0].n, 3)
})

t.test('console only (no database): sanitized too', async t => {
  const run = await runFixture(consumerDir(t), 'console-secrets-app.mjs', { DATABASE_URL: '', MODE: 'console-only' })
  t.equal(run.code, 0, run.stderr)
  t.notMatch(run.stdout, SECRETS)
  const printed = run.stdout.trim().split('\n').map(l => JSON.parse(l))
  t.match(printed, [{ level: 30, time: Number, password: '[REDACTED]', msg: 'login with Bearer [REDACTED]' }, { level: 40, time: Number }, { level: 50, time: Number, err: { message: /^failed\nFATAL/ } }])
})

t.test('a burst of lines below the database level, faster than the worker parses: every one printed, none stored', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runFixture(consumerDir(t), 'console-secrets-app.mjs', { DATABASE_URL: databaseUrl(), SCHEMA: target.schema, MODE: 'below-level-burst' })
  t.equal(run.code, 0, run.stderr)
  const seqs = run.stdout.trim().split('\n').map(l => JSON.parse(l)).filter(l => l.msg === 'burst').map(l => l.seq as number)
  t.equal(seqs.length, 20_000, 'as many lines printed as logged')
  t.same([...new Set(seqs)].length, 20_000, 'each once')
  t.equal((await client.query(`SELECT count(*)::int AS n FROM "${target.schema}".system_logs`)).rows[0].n, 0)
})
