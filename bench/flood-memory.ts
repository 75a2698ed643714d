import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requestStats } from '../lib/app/worker-messages.js'
import { type Result, client, dropTarget, freshTarget, sleep, transportLogger } from './harness.js'
import { MESSAGE, record } from './records.js'

const MiB = 2 ** 20
const CAP = 16 * MiB
// Code and caches (~13 MiB idle), the inbox (4 MiB of unparsed lines, each its own copy, not a slice
// of the chunk it came in), thread-stream's 4 MiB chunk being split into lines, and the COPY batches
// in flight (2 × 4 MiB; a spilled batch being loaded again is one of them: a segment is read a batch
// at a time). See docs/delivery.md.
const OVERHEAD = 40 * MiB

/**
 * The app logs as fast as one thread can for `seconds`, faster than the worker parses, with the
 * database up and a 16 MiB queue cap: the worker's live heap must stay under the cap plus a fixed
 * overhead (the excess is spilled unparsed), and every line must land once.
 */
export async function floodMemoryScenario (url: string, seconds: number): Promise<Result[]> {
  const c = await client(url)
  const target = await freshTarget(c)
  const spill = mkdtempSync(join(tmpdir(), 'curator-log-bench-flood-'))
  const { logger, stream, end } = await transportLogger(url, target, { spillDir: spill, maxQueueBytes: CAP })
  const base = (await requestStats(stream as never, true)).heapUsedBytes
  let peak = base
  let sent = 0
  let lastSample = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 10_000; i++, sent++) logger.info({ ...record(sent), seq: sent }, MESSAGE)
    await new Promise(resolve => setImmediate(resolve))
    if (performance.now() - lastSample > 500) {
      lastSample = performance.now()
      peak = Math.max(peak, (await requestStats(stream as never, true)).heapUsedBytes)
    }
  }
  const loggedPerSecond = sent / ((performance.now() - start) / 1000)
  const during = await requestStats(stream as never, true)
  peak = Math.max(peak, during.heapUsedBytes)
  for (let i = 0; i < 3000; i++) {
    const s = await requestStats(stream as never)
    if (s.committed >= sent) break
    await sleep(100)
  }
  await end()
  const landed = (await c.query(`SELECT count(DISTINCT (context->>'seq'))::int AS n, count(*)::int AS rows FROM ${target.schema}.${target.table}`)).rows[0] as { n: number, rows: number }
  await dropTarget(c, target)
  await c.end()
  rmSync(spill, { recursive: true, force: true })
  return [
    { scenario: 'flood-memory', variant: `worker heap (live, after GC) while the app logs ${Math.round(loggedPerSecond).toLocaleString('en-US')} lines/s for ${seconds} s (cap 16 MiB)`, value: peak / MiB, unit: 'MiB', target: `<= cap + ${OVERHEAD / MiB} MiB`, pass: peak <= CAP + OVERHEAD, note: `heap at start ${(base / MiB).toFixed(1)} MiB; spilled ${during.spilled} lines` },
    { scenario: 'flood-memory', variant: 'lines landed after the flood (spill replayed)', value: landed.n, unit: 'rows', target: `${sent} (all, none twice)`, pass: landed.n === sent && landed.rows === sent }
  ]
}
