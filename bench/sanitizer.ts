import pino from 'pino'
import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import type { Result } from './harness.js'
import { MESSAGE, record } from './records.js'
import { sanitizerAttackScenario } from './sanitizer-attacks.js'

/** Records per second through the sanitizer as the worker runs it (in place, on freshly parsed pino lines). */
export function sanitizerRate (n: number): number {
  const lines: string[] = []
  const logger = pino({ name: 'bench' }, { write: (s: string) => { lines.push(s) } } as never)
  for (let i = 0; i < n; i++) logger.info({ ...record(i), note: i % 100 === 0 ? 'contact jane@example.com' : 'no secrets here' }, MESSAGE)
  const s = new Sanitizer()
  for (const l of lines.slice(0, 5000)) s.sanitizeParsed(JSON.parse(l))
  // Records are parsed a chunk at a time, as the worker sees them, so the measurement is not of a
  // garbage collector walking a heap of 100 000 retained objects.
  let ms = 0
  for (let i = 0; i < n; i += 5000) {
    const chunk = lines.slice(i, i + 5000).map(l => JSON.parse(l) as Record<string, unknown>)
    const t0 = performance.now()
    for (const o of chunk) s.sanitizeParsed(o)
    ms += performance.now() - t0
  }
  return n / ms * 1000
}

export function sanitizerScenario (n: number, copyRate: number, smoke = false): Result[] {
  const rate = sanitizerRate(n)
  process.stderr.write(`bench: sanitizer ${Math.round(rate)} records/s, ${(rate / copyRate).toFixed(2)}x the COPY ceiling (${Math.round(copyRate)} rows/s)\n`)
  return [
    { scenario: 'sanitizer', variant: 'records/s through the sanitizer', value: rate, unit: 'records/s', ratio: { to: 'COPY ceiling', value: rate / copyRate }, target: '>= 5x COPY ceiling', pass: rate / copyRate >= 5 },
    ...sanitizerAttackScenario(smoke)
  ]
}
