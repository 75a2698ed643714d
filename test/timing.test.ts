import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import ts from 'typescript'
import { runWithContext } from '../lib/app/context.js'
import { PerformanceMonitor, apiEndpoint, batchOperation, databaseQuery, resetTimingSummary, timedOperation, timingSummary, logTimingSummary } from '../lib/app/timing/index.js'
import { setTimingLogger } from '../lib/app/timing/timed.js'
import { freshTarget, rows } from './support/db.js'
import type { TimingDecorators, decoratedService as DecoratedService } from './fixtures/decorated-service.js'
import { testLogger } from './support/logger.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
function busy (ms: number): void { const end = performance.now() + ms; while (performance.now() < end); }

// The decorated class is compiled by TypeScript here: the tests run on Node's own type stripping,
// which takes only syntax that erases (decorators are not: they run).
async function decoratedService (decorators: TimingDecorators): Promise<ReturnType<typeof DecoratedService>> {
  const source = readFileSync(fileURLToPath(new URL('./fixtures/decorated-service.ts', import.meta.url)), 'utf8')
  const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } })
  const file = join(t.testdir(), 'decorated-service.mjs')
  writeFileSync(file, outputText)
  return (await import(pathToFileURL(file).href) as { decoratedService: typeof DecoratedService }).decoratedService(decorators)
}

t.test('sync, async, throwing and decorated calls: rows carry duration_ms and the request_id', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  setTimingLogger(logger)
  t.teardown(() => setTimingLogger(undefined))
  resetTimingSummary()

  const add = timedOperation('add', { warningThresholdMs: 1000 })((a: number, b: number) => a + b)
  const slow = timedOperation('slow', { warningThresholdMs: 5 })(async (x: string) => { await sleep(20); return x.toUpperCase() })
  const boom = new TypeError('bad input')
  const fails = timedOperation('fails')(() => { throw boom })
  const rejects = databaseQuery('SELECT')(async function loadUsers () { await sleep(1); throw boom })

  const svc = await decoratedService({ apiEndpoint, batchOperation, databaseQuery, sleep, busy })

  await runWithContext({ request_id: 'timed-1' }, async () => {
    t.equal(add(2, 3), 5, 'return value preserved')
    t.equal(await slow('ok'), 'OK')
    t.throws(() => fails(), boom, 'the same error is rethrown')
    await t.rejects(rejects(), boom)
    t.equal(await svc.getThing(4), 12, 'this preserved in a decorated method')
    t.equal(svc.importAll(['a', 'b', 'c']), 3)
    t.equal(svc.saveThing(), 3)
    const m = new PerformanceMonitor('block')
    busy(3)
    t.ok(m.stop() >= 3)
    {
      using scoped = new PerformanceMonitor('scoped', { fields: { step: 'x' } })
      t.ok(scoped)
      busy(1)
    }
  })
  await logger.close()

  const got = await rows<Record<string, any>>(client, target)
  const by = (op: string) => got.filter(r => r.context.operation === op)
  t.ok(got.every(r => r.request_id === 'timed-1' && r.duration_ms >= 0), 'every timing row has the request_id and duration_ms')
  t.match(by('add')[0], { level: 'info', message: 'operation completed: add' })
  t.match(by('slow')[0], { level: 'warn', message: 'slow operation: slow', context: { warning_threshold_ms: 5 } })
  t.ok(by('slow')[0].duration_ms >= 15)
  t.match(by('fails')[0], { level: 'error', error_type: 'TypeError', error_message: 'bad input' })
  t.match(by('SELECT loadUsers')[0], { level: 'error', context: { query_type: 'SELECT' } })
  t.match(by('getThing')[0], { level: 'info', context: { endpoint: 'getThing' } })
  t.match(by('import')[0], { context: { item_count: 3 } })
  t.ok(by('import')[0].context.items_per_second > 0)
  t.match(by('INSERT saveThing')[0], { context: { query_type: 'INSERT' } })
  t.equal(by('block').length, 1)
  t.match(by('scoped')[0], { context: { step: 'x' } })

  const summary = timingSummary()
  t.match(summary.fails, { count: 1, errors: 1 })
  t.match(summary.add, { count: 1, errors: 0 })
  t.ok(summary.slow.p50 >= 15 && summary.slow.p95 >= summary.slow.p50 && summary.slow.max >= summary.slow.p95)
})

t.test('the summary: percentiles over many calls, and it can be logged', async t => {
  resetTimingSummary()
  const timed = timedOperation('spin')((ms: number) => busy(ms))
  // 14 instant calls and 6 of 30 ms: the median is instant even if a few instant calls are
  // descheduled on a loaded machine, and the 95th percentile is a 30 ms one.
  for (let i = 1; i <= 20; i++) timed(i % 10 < 3 ? 30 : 0)
  const s = timingSummary().spin
  t.equal(s.count, 20)
  t.ok(s.p50 < 30 && s.p95 >= 30, `p50 ${s.p50} p95 ${s.p95}`)
  const lines: unknown[] = []
  logTimingSummary({ info: (o: unknown, m: string) => lines.push([o, m]) } as never)
  t.match(lines, [[{ operation: 'spin', count: 20 }, 'timing summary: spin']])
  t.throws(() => timedOperation('x')(42 as never), /wraps a function/)
  t.throws(() => new PerformanceMonitor('idle', {}, false).stop(), /was not started/)
})
