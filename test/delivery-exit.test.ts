import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { consumerDir, runFixture } from './support/consumer.js'
import { assertSeqs, databaseUrl, freshTarget, range } from './support/db.js'

/** Runs the fixture in a consumer folder; `out` is what it wrote to its OUT file. */
async function app (t: Test, env: Record<string, string>) {
  const dir = consumerDir(t)
  const OUT = join(dir, 'out.txt')
  const run = await runFixture(dir, 'delivery-app.mjs', { DATABASE_URL: databaseUrl(), OUT, ...env })
  let out = ''
  try { out = readFileSync(OUT, 'utf8') } catch {}
  return { ...run, out }
}

/** The seqs the fixture reports it logged (each one after logger.info returned). */
function logged (stdout: string): number[] {
  return [...stdout.matchAll(/^seq (\d+)$/gm)].map(m => Number(m[1]))
}

t.test('flush(cb) in a short script: the callback runs and the lines land', async t => {
  const { target, client } = await freshTarget(t)
  const run = await app(t, { SCHEMA: target.schema, LINES: '500', MODE: 'flush-callback' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^flushed ok$/m, 'the callback ran')
  await assertSeqs(t, client, target, range(500))
})

t.test('await transportStats() in a short script: it settles with the counters', async t => {
  const { target, client } = await freshTarget(t)
  const run = await app(t, { SCHEMA: target.schema, LINES: '200', MODE: 'stats-await' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.out, /^stats \{.*"committed"/m, 'the promise settled')
  await assertSeqs(t, client, target, range(200))
})

t.test('SIGTERM while the app logs on a timer: ends by the signal, every line logged lands', async t => {
  const { target, client } = await freshTarget(t)
  const run = await app(t, { SCHEMA: target.schema, LINES: '1000', MODE: 'sigterm-while-logging', WAIT_MS: '500' })
  t.equal(run.signal, 'SIGTERM', run.stderr)
  t.notMatch(run.stderr, /the worker is ending/)
  const seqs = logged(run.out)
  t.ok(seqs.length > 1000, `the timer logged too (${seqs.length - 1000} lines)`)
  await assertSeqs(t, client, target, range(seqs.length))
})
