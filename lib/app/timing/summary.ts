import type { Logger } from 'pino'

/** Per-operation figures kept in process: counts, and percentiles over the most recent samples. */
export interface OperationSummary {
  count: number
  errors: number
  p50: number
  p95: number
  max: number
}

const SAMPLES = 1024

interface Series { count: number, errors: number, max: number, samples: Float64Array, next: number }

const series = new Map<string, Series>()

export function record (operation: string, ms: number, failed: boolean): void {
  let s = series.get(operation)
  if (s === undefined) {
    s = { count: 0, errors: 0, max: 0, samples: new Float64Array(SAMPLES), next: 0 }
    series.set(operation, s)
  }
  s.count++
  if (failed) s.errors++
  if (ms > s.max) s.max = ms
  s.samples[s.next++ % SAMPLES] = ms
}

function percentile (sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

/** count, errors, p50, p95 and max (milliseconds) per operation; percentiles over the last 1024 calls. */
export function timingSummary (): Record<string, OperationSummary> {
  const out: Record<string, OperationSummary> = {}
  for (const [name, s] of series) {
    const sorted = s.samples.slice(0, Math.min(s.next, SAMPLES)).sort()
    out[name] = { count: s.count, errors: s.errors, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: s.max }
  }
  return out
}

/** Forgets every operation's figures. */
export function resetTimingSummary (): void {
  series.clear()
}

/** Logs the summary as one info line per operation. */
export function logTimingSummary (logger: Logger): void {
  for (const [operation, figures] of Object.entries(timingSummary())) logger.info({ operation, ...figures }, `timing summary: ${operation}`)
}
