import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { qualifiedTable } from '../lib/core/identifiers.js'
import { type Result, client, dropTarget, freshTarget, sleep, transportLogger } from './harness.js'
import { MESSAGE, record } from './records.js'

/** Logs `perSecond` lines a second, paced in 5 ms ticks, for `ms`; returns the p99 event-loop delay in ms. */
async function pacedP99 (logger: { info (o: object, m: string): void }, perSecond: number, ms: number): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  const start = performance.now()
  let sent = 0
  while (performance.now() - start < ms) {
    const due = Math.floor((performance.now() - start) / 1000 * perSecond)
    for (; sent < due; sent++) logger.info(record(sent), MESSAGE)
    await sleep(5)
  }
  h.disable()
  return h.percentile(99) / 1e6
}

export async function eventLoopScenario (url: string, ms: number, perSecond = 20_000): Promise<Result[]> {
  const c = await client(url)
  const spill = mkdtempSync(join(tmpdir(), 'curator-log-bench-'))
  const results: Record<string, number> = {}
  for (const mode of ['fast', 'stalled', 'down'] as const) {
    const target = await freshTarget(c)
    let unlock = async (): Promise<void> => {}
    let target2 = url
    if (mode === 'stalled') {
      const locker = await client(url)
      await locker.query('BEGIN')
      await locker.query(`LOCK TABLE ${qualifiedTable(target)} IN ACCESS EXCLUSIVE MODE`)
      unlock = async () => { await locker.query('ROLLBACK'); await locker.end() }
    }
    if (mode === 'down') target2 = `postgres://postgres:postgres@127.0.0.1:${await freePort()}/postgres`
    const { logger, end } = await transportLogger(target2, target, { spillDir: join(spill, mode), maxQueueBytes: 32 << 20, closeTimeoutMs: 2000 })
    results[mode] = await pacedP99(logger, perSecond, ms)
    await unlock()
    await end()
    await dropTarget(c, target)
  }
  await c.end()
  rmSync(spill, { recursive: true, force: true })
  return (['fast', 'stalled', 'down'] as const).map(mode => ({
    scenario: 'event loop',
    variant: `p99 delay logging ${perSecond} lines/s, database ${mode === 'fast' ? 'fast' : mode === 'stalled' ? 'stalled (table locked)' : 'down'}`,
    value: results[mode],
    unit: 'ms',
    ...(mode === 'fast' ? {} : { ratio: { to: 'fast', value: results[mode] / results.fast }, target: '<= 1.2x fast', pass: results[mode] / results.fast <= 1.2 })
  }))
}
