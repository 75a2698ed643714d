import type { Logger } from 'pino'
import type { RateLimiter } from './rate-limiter.js'

/** The rate limiter's report: written at intervals, and once more as the logger ends. */
export interface SuppressionReport {
  /** Writes what was suppressed since the last report (nothing when nothing was). */
  write (): void
  /** Whether a report line is being written: the limiter must let it through. */
  readonly writing: boolean
  /** The last report, as the outputs are about to end; later calls do nothing. */
  final (): void
}

/**
 * Reports suppressed lines every `intervalMs`, and at the end: `final()` for close and signals, and
 * the process's 'exit' event for process.exit() and a loop that runs out, where the line still gets
 * in before pino's own exit hook ends the transport. Stops once the transport closes.
 */
export function suppressionReport (limiter: RateLimiter, logger: Logger, intervalMs: number, transport?: { once (e: string, f: () => void): unknown }): SuppressionReport {
  let writing = false
  let ended = false
  const write = (): void => {
    if (ended) return
    writing = true
    try {
      for (const [key, suppressed] of limiter.takeSuppressed()) logger.warn({ rate_limited: key, suppressed }, 'rate limit: lines suppressed')
    } finally {
      writing = false
    }
  }
  const final = (): void => {
    write()
    ended = true
  }
  const timer = setInterval(write, intervalMs)
  timer.unref()
  // Before pino's exit hook, which is registered later and ends the transport.
  process.prependListener('exit', final)
  transport?.once('close', () => {
    ended = true
    clearInterval(timer)
    process.removeListener('exit', final)
  })
  return { write, final, get writing () { return writing } }
}
