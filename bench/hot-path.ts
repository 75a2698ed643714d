import { once } from 'node:events'
import { join } from 'node:path'
import pino from 'pino'
import { runWithContext } from '../lib/app/context.js'
import { createLogger } from '../lib/app/create-logger.js'
import { timedOperation } from '../lib/app/timing/helpers.js'
import { setTimingLogger } from '../lib/app/timing/timed.js'
import { type Result, ROOT, sleep } from './harness.js'
import { MESSAGE } from './records.js'

export const COUNTING = join(ROOT, 'bench', 'counting-transport.mjs')

/**
 * µs per call on the app thread for each variant: rounds of `n` calls interleaved across the variants
 * (so drift on a shared machine hits them alike), best round of each, after a warm-up. Between rounds
 * the event loop turns, as it does in a server: the workers drain what was written, so no round
 * inherits another's backlog (thread-stream holds unsent lines on the app thread until then).
 */
async function perCall (n: number, rounds: number, calls: Array<(i: number) => void>): Promise<number[]> {
  for (const call of calls) for (let i = 0; i < 20_000; i++) call(i)
  const best = calls.map(() => Infinity)
  for (let r = 0; r < rounds; r++) {
    for (const [k, call] of calls.entries()) {
      await sleep(50)
      const t0 = performance.now()
      for (let i = 0; i < n; i++) call(i)
      best[k] = Math.min(best[k], (performance.now() - t0) * 1000 / n)
    }
  }
  return best
}

export async function hotPathScenario (n: number): Promise<Result[]> {
  const bareStream = pino.transport({ target: COUNTING })
  await once(bareStream, 'ready')
  const bare = pino({ name: 'bench' }, bareStream)
  const logger = createLogger({ name: 'bench', console: false, handleSignals: false, handleExceptions: false, transportTarget: COUNTING, database: { connectionString: 'postgres://unused' }, rateLimit: { maxPerSecond: 1e9 }, env: {} })
  const limited = createLogger({ name: 'bench', console: false, handleSignals: false, handleExceptions: false, transportTarget: COUNTING, database: { connectionString: 'postgres://unused' }, rateLimit: { maxPerSecond: 1 }, env: {} })
  const ctx = { request_id: 'b2c1a9e0-5f4d-4c3b-9a8e-7d6c5b4a3f21', user_id: 'user-42', path: '/api/orders', method: 'GET', ip_address: '10.0.0.7' }

  const rounds = 7
  // Bare pino writes the same line: the context fields are in the call, so only the machinery differs.
  const [bareUs, curatorUs, droppedUs] = await runWithContext(ctx, () => perCall(n, rounds, [
    i => bare.info({ request_id: ctx.request_id, user_id: ctx.user_id, path: ctx.path, method: ctx.method, ip_address: ctx.ip_address, order_id: i, tenant: 'acme', items: 3 }, MESSAGE),
    i => logger.info({ order_id: i, tenant: 'acme', items: 3 }, MESSAGE),
    i => limited.info({ order_id: i, tenant: 'acme', items: 3 }, MESSAGE)
  ]))
  setTimingLogger(logger)
  const work = (x: number): number => x * 2
  const timed = timedOperation('bench')(work)
  const [plainUs, timedUs] = await runWithContext(ctx, () => perCall(n, rounds, [i => work(i), i => timed(i)]))
  setTimingLogger(undefined)

  bareStream.end()
  await Promise.all([logger.close(), limited.close(), once(bareStream, 'close')])
  return [
    { scenario: 'hot path', variant: 'bare pino, counting worker transport', value: bareUs, unit: 'µs/call' },
    { scenario: 'hot path', variant: 'createLogger with context and rate limiter', value: curatorUs, unit: 'µs/call', ratio: { to: 'bare pino', value: curatorUs / bareUs }, target: '<= 1.25x bare pino', pass: curatorUs / bareUs <= 1.25 },
    { scenario: 'hot path', variant: 'createLogger, call dropped by the rate limiter', value: droppedUs, unit: 'µs/call', ratio: { to: 'logged call', value: curatorUs / droppedUs }, target: '>= 10x cheaper than logged', pass: curatorUs / droppedUs >= 10 },
    { scenario: 'timing', variant: 'timedOperation overhead per call (logged)', value: timedUs - plainUs, unit: 'µs/call', note: `bare call ${plainUs.toFixed(3)} µs` }
  ]
}
