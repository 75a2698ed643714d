import { spawn } from 'node:child_process'
import t, { type Test } from 'tap'
import { prettyFactory } from 'pino-pretty'
import { cli } from './support/cli.js'
import { databaseUrl, freshTarget, transportLogger } from './support/db.js'
import { ROOT } from './support/consumer.js'
import { main } from '../lib/cli/main.js'
import { PassThrough } from 'node:stream'

async function seeded (t: Test) {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, {}, { name: 'shop' })
  logger.info({ request_id: 'r1', user_id: 'u1', path: '/cart', order: { id: 7, total: 12 } }, 'cart viewed')
  logger.warn({ request_id: 'r1', user_id: 'u1', path: '/cart' }, 'slow cart 100%_done')
  logger.error({ request_id: 'r2', user_id: 'u2', path: '/pay', err: new Error('card declined') }, 'payment failed')
  logger.child({ name: 'jobs' }).debug('not stored at info')
  logger.child({ name: 'jobs' }).info({ job: 'email' }, 'job ran')
  await end()
  await client.query(`UPDATE "${target.schema}".system_logs SET "timestamp" = now() - interval '3 hours' WHERE message = 'job ran'`)
  return { target, client, args: ['--url', databaseUrl(), '--schema', target.schema] }
}

const lines = (out: string): any[] => out.trim().split('\n').filter(Boolean).map(l => JSON.parse(l))

t.test('query: every filter, NDJSON that pino-pretty reads, newest N oldest first', async t => {
  const { args } = await seeded(t)
  const all = await cli('query', ...args)
  t.equal(all.code, 0, all.err)
  t.same(lines(all.out).map(l => l.msg), ['job ran', 'cart viewed', 'slow cart 100%_done', 'payment failed'])
  const q = async (...f: string[]) => lines((await cli('query', ...args, ...f)).out).map(l => l.msg)
  t.same(await q('--request-id', 'r1'), ['cart viewed', 'slow cart 100%_done'])
  t.same(await q('--user-id', 'u2'), ['payment failed'])
  t.same(await q('--level', 'warn'), ['slow cart 100%_done', 'payment failed'])
  t.same(await q('--logger', 'jobs'), ['job ran'])
  t.same(await q('--path', '/pay'), ['payment failed'])
  t.same(await q('--since', '1h'), ['cart viewed', 'slow cart 100%_done', 'payment failed'])
  t.same(await q('--until', new Date(Date.now() - 3_600_000).toISOString()), ['job ran'])
  t.same(await q('--from', new Date(Date.now() - 3_600_000).toISOString(), '--level', 'error'), ['payment failed'])
  t.same(await q('--where', '{"order":{"id":7}}'), ['cart viewed'])
  t.same(await q('--text', '100%_'), ['slow cart 100%_done'], '% and _ are literal')
  t.same(await q('--text', 'CART'), ['cart viewed', 'slow cart 100%_done'])
  t.same(await q('--limit', '2'), ['slow cart 100%_done', 'payment failed'])

  const [pay] = lines((await cli('query', ...args, '--request-id', 'r2')).out)
  t.match(pay, { level: 50, name: 'shop', msg: 'payment failed', request_id: 'r2', user_id: 'u2', path: '/pay', err: { type: 'Error', message: 'card declined', stack: /Error: card declined/ } })
  t.match(prettyFactory({ colorize: false })(pay), /ERROR.*\(shop.*\): payment failed/, 'pino-pretty formats it')
  const pretty = await cli('query', ...args, '--request-id', 'r2', '--pretty')
  t.match(pretty.out, /payment failed/)
  t.throws(() => JSON.parse(pretty.out), 'pretty output is not JSON')
})

t.test('query and tail: bad filters are usage errors', async t => {
  const { args } = await seeded(t)
  for (const [flag, value, message] of [
    ['--level', 'loud', /--level: unknown level "loud"/], ['--since', 'yesterday', /--since takes a duration/],
    ['--from', 'soon', /--from must be a time/], ['--where', '{bad', /--where must be JSON/], ['--where', '7', /must be a JSON object/],
    ['--limit', '0', /--limit must be an integer from 1/]
  ] as const) {
    const r = await cli('query', ...args, flag, value)
    t.equal(r.code, 2, `${flag} ${value}`)
    t.match(r.err, message)
  }
  const tail = await cli('tail', ...args, '--interval-ms', '1')
  t.equal(tail.code, 2)
})

t.test('missing schema and unreachable server', async t => {
  const { target } = await freshTarget(t, { migrate: false })
  for (const command of ['query', 'tail', 'stats', 'maintain']) {
    const r = await cli(command, '--url', databaseUrl(), '--schema', target.schema, '--table', 'app_logs')
    t.equal(r.code, 1, command)
    // The command as it must be run for this table: the default one would set up another.
    t.match(r.err, new RegExp(`is not set up \\(.*\\): name the log table with --schema and --table if it is elsewhere, or run curator-log migrate --schema ${target.schema} --table app_logs to create it\\n$`))
  }
  const down = await cli('stats', '--url', 'postgres://x:y@127.0.0.1:1/db')
  t.equal(down.code, 1)
  t.match(down.err, /cannot connect to 127\.0\.0\.1:1\/db as x: connection refused/)
  t.notMatch(down.err, /:y@/)
})

t.test('tail: the last rows, then new rows as they commit, each once', async t => {
  const { target, args } = await seeded(t)
  const out = new PassThrough()
  let text = ''
  out.on('data', d => { text += d })
  const ac = new AbortController()
  const done = main(['tail', ...args, '--lines', '2', '--interval-ms', '50', '--json'], out, new PassThrough(), ac.signal)
  const waitFor = async (n: number) => { for (let i = 0; i < 200 && lines(text).length < n; i++) await new Promise(resolve => setTimeout(resolve, 25)) }
  await waitFor(2)
  t.same(lines(text).map(l => l.msg), ['payment failed', 'job ran'], 'the last rows by commit order')
  const { logger, end } = await transportLogger(t, target, { flushIntervalMs: 10 })
  for (let i = 0; i < 5; i++) logger.info({ i }, 'live')
  await end()
  await waitFor(7)
  await new Promise(resolve => setTimeout(resolve, 200))
  ac.abort()
  t.equal(await done, 0)
  t.same(lines(text).map(l => l.msg), ['payment failed', 'job ran', 'live', 'live', 'live', 'live', 'live'])
})

t.test('tail as a command ends cleanly on SIGINT', async t => {
  const { args } = await seeded(t)
  const child = spawn(process.execPath, [`${ROOT}dist/lib/cli/main.js`, 'tail', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', d => { out += d })
  // Following once the last rows are printed (a loaded machine may take many seconds to get there).
  for (let i = 0; i < 2400 && lines(out).length < 4; i++) await new Promise(resolve => setTimeout(resolve, 25))
  child.kill('SIGINT')
  const [code] = await new Promise<[number | null]>(resolve => child.on('exit', c => resolve([c])))
  t.equal(code, 0)
  t.equal(lines(out).length, 4)
})

t.test('stats', async t => {
  const { args } = await seeded(t)
  const r = await cli('stats', ...args)
  t.equal(r.code, 0, r.err)
  // 'job ran' was moved 3 hours back: in a month's first 3 hours that is last month's partition.
  const month = (d: Date): string => d.toISOString().slice(0, 7).replace('-', '_')
  const now = new Date()
  const earlier = new Date(now.getTime() - 3 * 3_600_000)
  const perMonth = month(earlier) === month(now) ? [[month(now), 4]] : [[month(now), 3], [month(earlier), 1]]
  for (const [m, rows] of perMonth) t.match(r.out, new RegExp(`system_logs_${m}\\s+\\S+\\s+\\S+\\s+${rows}\\s+\\d`), `${rows} rows in ${m}`)
  t.match(r.out, /total rows 4; oldest \d{4}-.*; newest \d{4}-/)
  t.match(r.out, /last hour: .*info=1/)
  t.match(r.out, /error=1/)
})
