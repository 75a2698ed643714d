import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { logged, runApp } from './support/delivery-app.js'
import { assertSeqs, databaseUrl, freshTarget, range } from './support/db.js'
import { spillDir, spilledSeqs } from './support/spill-files.js'

t.test('flush(cb) in a short script: the callback runs and the lines land', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '500', MODE: 'flush-callback' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^flushed ok$/m, 'the callback ran')
  await assertSeqs(t, client, target, range(500))
})

t.test('await transportStats() in a short script: it settles with the counters', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '200', MODE: 'stats-await' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^stats \{.*"committed"/m, 'the promise settled')
  await assertSeqs(t, client, target, range(200))
})

t.test('transportStats() and flush(cb) after close(): each rejects with WORKER_UNAVAILABLE and the script ends', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '100', MODE: 'after-close' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^closed\ntransportStats rejected CURATOR_LOG_ERR_WORKER_UNAVAILABLE curator-log: the transport worker is not running\nflush rejected CURATOR_LOG_ERR_WORKER_UNAVAILABLE /m)
  t.ok(run.ms < 20_000, `ended in ${run.ms} ms`)
  await assertSeqs(t, client, target, range(100))
})

t.test('lines logged after close(): the app goes on, and they are written to stderr, sanitized, once each', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '100', MODE: 'log-after-close' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^closed\nstill running$/m, 'no error event ended the app')
  const late = run.stderr.split('\n').filter(l => l.startsWith('{') && l.includes('late line')).map(l => JSON.parse(l) as Record<string, unknown>)
  t.same(late.map(l => l.seq), [100, 101, 102], 'each late line on stderr, once, in order')
  for (const l of late) t.match(l, { password: '[REDACTED]', msg: /^late line with Bearer \[REDACTED\]$/ })
  t.notMatch(run.stderr, /hunter2-late|abcdefghijklmnop/, 'no secret on stderr')
  t.match(run.stderr, /logged after the logger was closed/, 'a warning says why')
  await assertSeqs(t, client, target, range(100))
})

t.test('an app logging only from unreferenced timers still ends when its work is done, every line landed', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '10', MODE: 'unref-interval' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^done$/m)
  t.ok(Number(/exit after (\d+) ms/.exec(run.out)?.[1]) < 2000, 'it ended right after its last referenced timer')
  const seqs = logged(run.out)
  t.ok(seqs.length > 20, `the interval logged (${seqs.length - 10} lines)`)
  await assertSeqs(t, client, target, range(seqs.length))
})

t.test('SIGTERM with the application\'s process.once handler added before the logger: the application ends the process', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '100', MODE: 'once-handler-first' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^closed$/m, 'its shutdown ran to the end')
  await assertSeqs(t, client, target, range(102))
})

t.test('SIGTERM with signal-exit loaded (as by many a dependency): the lines land, its callback runs, the signal ends the process', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '100', MODE: 'signal-exit', SIGNAL_EXIT: pathToFileURL(createRequire(import.meta.url).resolve('signal-exit')).href })
  t.equal(run.signal, 'SIGTERM', run.stderr)
  t.match(run.out, /^signal-exit callback$/m)
  await assertSeqs(t, client, target, range(100))
})

t.test('SIGTERM while another logger is closing: the first takes lines until it ends, none goes to stderr', async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '100', MODE: 'close-race' })
  t.equal(run.signal, 'SIGTERM', run.stderr)
  t.notMatch(run.stderr, /logged after the logger was closed/)
  const seqs = logged(run.out)
  t.ok(seqs.length > 100, `the timer logged too (${seqs.length - 100} lines)`)
  await assertSeqs(t, client, target, range(seqs.length))
})

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']) {
  t.test(`${signal} while the app logs on a timer: ends by the signal, every line logged lands`, async t => {
    const { target, client } = await freshTarget(t)
    const run = await runApp(t, { SCHEMA: target.schema, LINES: '1000', MODE: 'sigterm-while-logging', WAIT_MS: '500', SIGNAL: signal })
    t.equal(run.signal, signal, run.stderr)
    t.notMatch(run.stderr, /the worker is ending/)
    const seqs = logged(run.out)
    t.ok(seqs.length > 1000, `the timer logged too (${seqs.length - 1000} lines)`)
    await assertSeqs(t, client, target, range(seqs.length))
  })
}

t.test('a short script whose first COPY, at exit, meets a wrong password: the warning says the lines are spilled, not retried', async t => {
  const { target } = await freshTarget(t)
  const url = new URL(databaseUrl())
  url.password = 'not-the-password'
  const dir = spillDir(t)
  // Nothing is flushed before the exit: its first COPY meets the refusal.
  const run = await runApp(t, { SCHEMA: target.schema, LINES: '10', DATABASE_URL: url.href, SPILL_DIR: dir, DB_OPTIONS: JSON.stringify({ maintenance: false, flushIntervalMs: 60_000 }) })
  t.equal(run.code, 0, run.stderr)
  t.same(spilledSeqs(dir), range(10), 'every line spilled, once, in order')
  const failing = run.stderr.split('\n').filter(l => l.includes('cannot write to PostgreSQL'))
  t.equal(failing.length, 1, 'reported once')
  t.match(failing[0], /28P01.*the logger is closing: the rows are spilled now/)
  t.notMatch(failing[0], /retrying/)
})
