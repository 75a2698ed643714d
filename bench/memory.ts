import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startThrowawayPostgres } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { requestStats } from '../lib/app/worker-messages.js'
import { type Result, client, sleep, transportLogger } from './harness.js'
import { MESSAGE, record } from './records.js'

const CAP = 16 << 20
const OVERHEAD = 64 << 20

/**
 * The worker's heap while the database is down for `seconds` at `perSecond` lines/s with a 16 MiB
 * queue cap; then the database comes up and every line must land.
 */
export async function memoryScenario (seconds: number, perSecond = 10_000): Promise<Result[]> {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const spill = mkdtempSync(join(tmpdir(), 'curator-log-bench-mem-'))
  const target = { schema: 'public', table: 'system_logs' }
  const { logger, stream, end } = await transportLogger(url, target, { spillDir: spill, maxQueueBytes: CAP, retryMaxMs: 500 })
  const base = (await requestStats(stream as never, true)).heapUsedBytes
  let peak = base
  let sent = 0
  let lastSample = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor((performance.now() - start) / 1000 * perSecond)
    for (; sent < due; sent++) logger.info({ ...record(sent), seq: sent }, MESSAGE)
    await sleep(20)
    if (performance.now() - lastSample > 1000) {
      lastSample = performance.now()
      peak = Math.max(peak, (await requestStats(stream as never, true)).heapUsedBytes)
    }
  }
  const during = await requestStats(stream as never, true)
  peak = Math.max(peak, during.heapUsedBytes)
  const server = await startThrowawayPostgres({ port })
  const c = await client(server.url)
  await migrate(c, target)
  for (let i = 0; i < 600; i++) {
    const s = await requestStats(stream as never)
    if (s.committed >= sent) break
    await sleep(100)
  }
  await end()
  const landed = (await c.query('SELECT count(DISTINCT (context->>\'seq\'))::int AS n FROM system_logs')).rows[0].n as number
  await c.end()
  await server.destroy()
  rmSync(spill, { recursive: true, force: true })
  return [
    { scenario: 'memory', variant: `worker heap (live, after GC) during a ${seconds} s outage at ${perSecond} lines/s (cap 16 MiB)`, value: peak / 2 ** 20, unit: 'MiB', target: `<= cap + ${OVERHEAD / 2 ** 20} MiB`, pass: peak <= CAP + OVERHEAD, note: `heap at start ${(base / 2 ** 20).toFixed(1)} MiB; spilled ${during.spilled} lines` },
    { scenario: 'memory', variant: 'lines landed after the outage', value: landed, unit: 'rows', target: `${sent} (all)`, pass: landed === sent }
  ]
}
