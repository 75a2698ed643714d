import { statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { requestStats } from '../lib/app/worker-messages.js'
import { assertSeqs, freshTarget, range, transportLogger, transportStats, waitFor } from './support/db.js'
import { spillDir, spillFiles, spilledSeqs } from './support/spill-files.js'

// A flood spilled to many small segments, loaded partly by the same process and the rest by the next.
t.setTimeout(600_000)

t.test('replay across many small spill segments, stopped midway and resumed by the next process: every line exactly once', async t => {
  const { target, client } = await freshTarget(t)
  const dir = spillDir(t)
  const n = 60_000
  // Segments of ~64 KiB hold ~300 lines: batches of 70 rows end inside segments and across their ends.
  const small = { spillDir: dir, maxQueueBytes: 64 << 10, batchRows: 70, spillSegmentBytes: 64 << 10 }
  const first = await transportLogger(t, target, small)
  for (let seq = 0; seq < n; seq++) first.logger.info({ seq, pad: 'x'.repeat(seq % 97) }, 'flood')
  await waitFor('replay to begin', async () => (await transportStats(first.stream)).replayed > 0, 120_000)
  await first.end()
  t.ok(spillFiles(dir).length > 1, `segments left for the next process (${spillFiles(dir).length} files)`)
  t.comment(`segments left partly loaded: ${spillFiles(dir).filter(f => f.endsWith('.offset')).length}`)
  const landed = (await client.query(`SELECT (context->>'seq')::int AS seq FROM "${target.schema}".system_logs`)).rows.map(r => r.seq as number)
  const counts = new Map<number, number>()
  for (const s of [...landed, ...spilledSeqs(dir)]) counts.set(s, (counts.get(s) ?? 0) + 1)
  t.same({ missing: n - counts.size, duplicated: [...counts.values()].filter(c => c > 1).length }, { missing: 0, duplicated: 0 }, 'between the table and the spill files still to load, every line once')
  const next = await transportLogger(t, target, small)
  await waitFor('the spill to be loaded', async () => spillFiles(dir).length === 0 && (await transportStats(next.stream)).queueDepth === 0, 300_000)
  await next.end()
  await assertSeqs(t, client, target, range(n))
})

t.test('loading a spill holds one batch at a time, not a whole segment', async t => {
  const { target, client } = await freshTarget(t)
  const dir = spillDir(t)
  const MiB = 1 << 20
  const opts = { spillDir: dir, maxQueueBytes: 4 * MiB, batchBytes: MiB }
  const first = await transportLogger(t, target, opts)
  const idle = (await requestStats(first.stream as never, true)).heapUsedBytes
  // ~24 MiB of 2 KiB lines in one synchronous loop: most go to disk unparsed, in 16 MiB segments.
  const n = 12_000
  for (let seq = 0; seq < n; seq++) first.logger.info({ seq, pad: 'x'.repeat(2000) }, 'flood')
  await first.end()
  const spilled = spilledSeqs(dir).length
  const largest = Math.max(...spillFiles(dir).map(f => statSync(join(dir, f)).size))
  // Holding this segment whole would break the bound below.
  t.ok(largest > 12 * MiB, `${spilled} lines spilled, the largest segment ${(largest / MiB).toFixed(1)} MiB`)
  const next = await transportLogger(t, target, opts)
  let peak = 0
  let replayed = 0
  while (replayed < spilled) {
    const s = await requestStats(next.stream as never, true)
    peak = Math.max(peak, s.heapUsedBytes)
    replayed = s.replayed
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  await next.end()
  // One batch (batchBytes of spilled text, then its rows), the read buffer and the COPY in flight.
  t.ok(peak - idle < 8 * MiB, `heap while loading the spill: ${((peak - idle) / MiB).toFixed(1)} MiB over idle (under 8 MiB)`)
  await assertSeqs(t, client, target, range(n))
})
