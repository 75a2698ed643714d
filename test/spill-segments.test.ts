import t from 'tap'
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
