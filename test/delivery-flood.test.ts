import t from 'tap'
import { requestStats } from '../lib/worker-messages.js'
import { assertSeqs, flushTransport, freshTarget, range, transportLogger, transportStats, waitFor } from './support/db.js'
import { spillDir, spillFiles, spilledSeqs } from './support/spill-files.js'

const MiB = 1 << 20
// Hundreds of thousands of lines through a worker, spilled and loaded again: slow on a loaded machine.
t.setTimeout(600_000)

t.test('800 000 lines in one synchronous loop, then close: closes in time, every line landed or spilled, once', async t => {
  const { target, client } = await freshTarget(t)
  const dir = spillDir(t)
  const { logger, stream, end } = await transportLogger(t, target, { spillDir: dir, maxQueueBytes: 16 * MiB, ...(process.env.SEG ? { spillSegmentBytes: Number(process.env.SEG) } : {}) })
  const errors: Error[] = []
  stream.on('error', err => errors.push(err))
  const n = Number(process.env.FLOOD_LINES ?? 800_000)
  const started = Date.now()
  for (let seq = 0; seq < n; seq++) logger.info({ seq }, 'flood')
  await end()
  t.same(errors.map(e => e.message), [], 'no end() took too long')
  const landed = (await client.query(`SELECT (context->>'seq')::int AS seq FROM "${target.schema}".system_logs`)).rows.map(r => r.seq as number)
  const spilled = spilledSeqs(dir)
  t.ok(spilled.length > 0, `the overflow went to disk (${spilled.length} lines)`)
  t.same(tally([...landed, ...spilled], n), { missing: 0, duplicated: 0, unexpected: 0 }, 'every line in PostgreSQL or on disk, once')
  // The next process loads what was spilled.
  t.comment(`closed after ${Date.now() - started} ms`)
  const next = await transportLogger(t, target, { spillDir: dir })
  await waitFor('the spill to be loaded', async () => (await transportStats(next.stream)).replayed >= spilled.length, 120_000)
  await next.end()
  t.comment(`replayed after ${Date.now() - started} ms`)
  await assertSeqs(t, client, target, range(n))
  t.same(spillFiles(dir), [], 'no spill file left')
})

t.test('logging faster than the worker parses: its heap stays under the cap plus a fixed overhead, nothing lost', async t => {
  const { target, client } = await freshTarget(t)
  const dir = spillDir(t)
  const cap = 16 * MiB
  const { logger, stream, end } = await transportLogger(t, target, { spillDir: dir, maxQueueBytes: cap })
  let seq = 0
  let peak = 0
  const until = Date.now() + 8000
  // Bindings are serialized once on the app thread but parsed and sanitized on every line in the
  // worker (a secret among them takes every line off the fast path): the app outruns the worker, as
  // a service with rich child loggers does.
  const child = logger.child({ password: 'hunter2', tenant: Object.fromEntries(range(150).map(i => [`field_${i}`, { id: i, label: `value ${i}`, tags: ['a', 'b'] }])) })
  while (Date.now() < until) {
    for (let i = 0; i < 20_000; i++) child.info({ seq: seq++ }, 'sustained flood')
    // Lets thread-stream hand the lines over; the app gives the worker no other slack.
    await new Promise(resolve => setImmediate(resolve))
    if (seq % 100_000 === 0) peak = Math.max(peak, (await requestStats(stream as never, true)).heapUsedBytes)
  }
  peak = Math.max(peak, (await requestStats(stream as never, true)).heapUsedBytes)
  // The overhead: the inbox (4 MiB of unparsed lines), two batches in flight (2 × batchBytes), one of
  // them possibly a spilled batch being loaded again, thread-stream's chunks, and code and caches.
  t.ok(peak < cap + 48 * MiB, `worker heap (live, after GC) peaked at ${(peak / MiB).toFixed(0)} MiB (cap ${cap / MiB} MiB + 48 MiB)`)
  await flushTransport(stream)
  await waitFor('the spill to be loaded', async () => (await transportStats(stream)).committed >= seq, 180_000)
  await end()
  await assertSeqs(t, client, target, range(seq))
})

/** Counts, for seqs 0..n-1, how many are missing from `seqs`, how many appear twice and how many are not in range. */
function tally (seqs: number[], n: number): { missing: number, duplicated: number, unexpected: number } {
  const seen = new Uint8Array(n)
  let duplicated = 0
  let unexpected = 0
  for (const s of seqs) {
    if (!(s >= 0 && s < n)) unexpected++
    else if (seen[s]++ > 0) duplicated++
  }
  return { missing: seen.filter(x => x === 0).length, duplicated, unexpected }
}
