import pino from 'pino'
import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import type { Result } from './harness.js'
import { MESSAGE, record } from './records.js'

/** Records per second through the sanitizer (parsed pino lines, as the worker sees them). */
export function sanitizerRate (n: number): number {
  const lines: string[] = []
  const logger = pino({ name: 'bench' }, { write: (s: string) => { lines.push(s) } } as never)
  for (let i = 0; i < n; i++) logger.info({ ...record(i), note: i % 100 === 0 ? 'contact jane@example.com' : 'no secrets here' }, MESSAGE)
  const objects = lines.map(l => JSON.parse(l) as Record<string, unknown>)
  const s = new Sanitizer()
  for (const o of objects.slice(0, 5000)) s.sanitizeObject(o)
  const t0 = performance.now()
  for (const o of objects) s.sanitizeObject(o)
  return n / (performance.now() - t0) * 1000
}

export function sanitizerScenario (n: number, copyRate: number): Result[] {
  const rate = sanitizerRate(n)
  return [{ scenario: 'sanitizer', variant: 'records/s through the sanitizer', value: rate, unit: 'records/s', ratio: { to: 'COPY ceiling', value: rate / copyRate }, target: '>= 5x COPY ceiling', pass: rate / copyRate >= 5 }]
}
