// Every way the CLI can fail, given a connection string with a password in each spelling libpq and
// URLs allow: the password never reaches stdout or stderr.
import t from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { bin, cli } from './support/cli.js'
import { databaseUrl } from './support/db.js'

// Each test starts the built binary (or npm, or a server) several times: minutes on a loaded machine.
t.setTimeout(600_000)

const STACK = /\n\s+at /

t.test('no error path prints the password', async t => {
  const SECRET = 'S3cr3t-Pw'
  const port = await freePort()
  const real = new URL(databaseUrl())
  const host = `${real.hostname}:${real.port}`
  const urls = [
    `postgres://app:${SECRET}@127.0.0.1:${port}/logs`, // refused
    `postgres://app@127.0.0.1:${port}/logs?password=${SECRET}`,
    `host=127.0.0.1 port=${port} user=app password=${SECRET} dbname=logs`,
    `host=127.0.0.1 port=${port} user=app password='${SECRET} x' dbname=logs`,
    `postgres://app:${SECRET}@x@127.0.0.1:${port}/logs`, // a raw @ in the password
    `postgres://app:${SECRET}@no-such-host.invalid/logs`,
    `postgres://postgres:${SECRET}@${host}/postgres`, // wrong password
    `postgres://postgres@${host}/postgres?password=${SECRET}`,
    `host=${real.hostname} port=${real.port} user=postgres password=${SECRET} dbname=postgres`,
    // Not connection strings: usage errors, exit 2.
    `postgres://app:${SECRET}@[bad/logs`,
    `host=x password=${SECRET} nonsense`,
    `postgres://app:${SECRET}@127.0.0.1:99999/logs`
  ]
  const malformed = urls.slice(-3)
  const commands = [['migrate'], ['maintain'], ['query'], ['tail'], ['stats'], ['demo', '--requests', '1'], ['query', '--debug']]
  // Side by side: most fail at once (refused, unknown host, not a URL), the rest at authentication.
  const runs = await Promise.all(urls.flatMap(url => commands.map(async command => {
    const argv = [...command, '--url', url]
    return { argv, r: await cli(...argv) }
  })))
  for (const { argv, r } of runs) {
    const what = argv.join(' ').replace(SECRET, '<secret>')
    t.equal(r.code, malformed.includes(argv.at(-1)!) ? 2 : 1, what)
    t.notOk(r.out.includes(SECRET) || r.err.includes(SECRET), `${what}: no secret in what it printed`)
  }
  for (const url of urls) {
    const viaEnv = await bin(['query'], { DATABASE_URL: url })
    t.equal(viaEnv.code, 1)
    t.notOk(viaEnv.out.includes(SECRET) || viaEnv.err.includes(SECRET), `DATABASE_URL=${url.replace(SECRET, '<secret>')}: ${viaEnv.err}`)
    t.notMatch(viaEnv.err, STACK)
  }
})

t.test('every stderr line of the real process is scrubbed of the passwords of the command line, DATABASE_URL and PGPASSWORD', async t => {
  const SECRET = 'S3cr3t-Pw'
  const port = await freePort()
  const real = new URL(databaseUrl())
  const host = `${real.hostname}:${real.port}`
  const unreachable = `postgres://app:${SECRET}@127.0.0.1:${port}/logs`
  const runs: Array<[string[], Record<string, string>]> = [
    // Wrong password, real server.
    [['query', '--url', `postgres://postgres:${SECRET}@${host}/postgres`], {}],
    [['query'], { DATABASE_URL: `postgres://postgres:${SECRET}@${host}/postgres` }],
    [['query', '--url', `postgres://postgres@${host}/postgres`], { PGPASSWORD: SECRET }],
    // Not a connection string.
    [['query', '--url', `postgres://app:${SECRET}@[bad/logs`], {}],
    [['stats', `--url=host=x password=${SECRET} nonsense`], {}],
    [['query'], { DATABASE_URL: `postgres://app:${SECRET}@[bad/logs` }],
    // Quoted back by an option error or an unknown command (--url forgotten or misspelt).
    [['query', unreachable], {}],
    [[unreachable], {}],
    [['query', `-u${unreachable}`], {}],
    [['query', '--ulr', unreachable], {}],
    [['tail', '--where', unreachable], {}],
    [['query', `--since=postgres://app:${SECRET}"x@127.0.0.1:${port}/logs`], {}],
    [['query', '--text', 'x', '--since', SECRET], { DATABASE_URL: unreachable }],
    [['query', '--since', `${SECRET} #2`, '--url', `postgres://app@127.0.0.1:${port}/logs`], { PGPASSWORD: `${SECRET} #2` }]
  ]
  for (const [argv, env] of runs) {
    const what = `${argv.join(' ')} ${JSON.stringify(env)}`.replaceAll(SECRET, '<secret>')
    for (const debug of [[], ['--debug']]) {
      const r = await bin([...argv, ...debug], env)
      t.not(r.code, 0, what)
      t.not(r.err, '', what)
      t.notOk(r.err.includes(SECRET) || r.out.includes(SECRET), `${what} ${debug.join('')}: no secret in ${r.err}`)
    }
  }
  const wrong = await bin(['query', '--url', `postgres://postgres:${SECRET}@${host}/postgres`])
  t.match(wrong.err, /^curator-log query: authentication failed at .*: check the user and password\n$/, 'the server was reached and refused the password')
  t.notMatch(wrong.err, STACK)
})

t.test('a password with a raw / ? # @ or : is masked whole and in pieces, however the string is misread', async t => {
  // A raw / ? or # ends a URL's authority early: the password was not found, and a misparse printed it,
  // or a piece of it as a port or database name (`cannot connect to spec:4711`).
  const runs: Array<[string, string[], Record<string, string>]> = [
    ['Xk9pa#Qz7ss', ['postgres://spec:Xk9pa#Qz7ss@127.0.0.1:5432/db'], {}],
    ['Xk9pa?Qz7ss', ['query', '--since', 'postgres://spec:Xk9pa?Qz7ss@h/db'], {}],
    ['Xp@Qz7ss:w/Vb4rd', ['query', '--level', 'postgres://spec:Xp@Qz7ss:w/Vb4rd@h/db'], {}],
    ['/Xk9secret', ['stats', '--url', 'postgres://spec:/Xk9secret@127.0.0.1:5432/postgres'], {}],
    ['4711#Xk9secret', ['stats'], { DATABASE_URL: 'postgres://spec:4711#Xk9secret@127.0.0.1/db' }]
  ]
  for (const [secret, argv, env] of runs) {
    const pieces = secret.split(/[/?#@:]/).filter(p => p.length >= 2)
    for (const debug of [[], ['--debug']]) {
      const r = await bin([...argv, ...debug], env)
      const what = `${argv.join(' ')} ${JSON.stringify(env)} ${debug.join('')}`
      t.not(r.code, 0, what)
      t.not(r.err, '', what)
      for (const piece of [secret, ...pieces]) t.notOk(r.err.includes(piece) || r.out.includes(piece), `${what}: no ${piece} in ${r.err}`)
    }
  }
})
