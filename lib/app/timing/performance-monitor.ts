import { CuratorLogError, ERROR_CODES } from '../../core/errors.js'
import { type TimingOptions, logTiming } from './timed.js'

/**
 * Times a block of code: `start()` … `stop()`, or `using m = new PerformanceMonitor('x')` where the
 * runtime has explicit resource management. Logs like the other helpers and feeds the summary.
 */
export class PerformanceMonitor {
  #started: number | undefined
  readonly #options: TimingOptions & { fields?: Record<string, unknown> }

  readonly operation: string

  constructor (operation: string, options: TimingOptions & { fields?: Record<string, unknown> } = {}, autoStart = true) {
    this.operation = operation
    this.#options = options
    if (autoStart) this.start()
  }

  start (): this {
    this.#started = performance.now()
    return this
  }

  /** Ends the measurement, logs it (at error when `err` is given), and returns the milliseconds. */
  stop (err?: unknown): number {
    if (this.#started === undefined) throw new CuratorLogError(ERROR_CODES.MONITOR_NOT_STARTED, `PerformanceMonitor ${this.operation} was not started`)
    const ms = performance.now() - this.#started
    this.#started = undefined
    logTiming(this.#options, this.operation, this.#options.fields ?? {}, ms, err)
    return ms
  }

  /** For `using`: stops the monitor if it is still running. */
  [Symbol.dispose] (): void {
    if (this.#started !== undefined) this.stop()
  }
}
