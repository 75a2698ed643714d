import type { Logger } from 'pino'

/** The signals whose default action ends the process, handled so that no accepted line is lost. */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const

/**
 * On SIGTERM/SIGINT: when nobody else handles the signal, end the transport (commit, else spill)
 * and raise the signal again so the process ends as it would have; when the application has its
 * own handler, only flush and leave the exit to it. Returns the function that removes the handlers.
 */
export function handleSignals (transport: { end (): void, once (e: string, f: () => void): unknown }, flush: (cb: () => void) => void, budgetMs = 9500): () => void {
  const handlers = SIGNALS.map(sig => {
    const handler = (): void => {
      if (process.listenerCount(sig) > 1) {
        flush(() => {})
        return
      }
      process.removeListener(sig, handler)
      // A referenced timer keeps the process alive until the worker has closed (or the budget is spent).
      const timer = setTimeout(() => reraise(), budgetMs)
      const reraise = (): void => {
        clearTimeout(timer)
        process.kill(process.pid, sig)
      }
      transport.once('close', reraise)
      // Lines logged by other code reacting to the same signal in this tick still get in.
      setImmediate(() => transport.end())
    }
    process.on(sig, handler)
    return [sig, handler] as const
  })
  return () => { for (const [sig, h] of handlers) process.removeListener(sig, h) }
}

/** Logs uncaught exceptions and unhandled rejections at fatal; pino's exit hook then ends the transport. */
export function handleExceptions (logger: Logger): () => void {
  const monitor = (err: Error, origin: string): void => {
    logger.fatal({ err, origin }, origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception')
  }
  process.on('uncaughtExceptionMonitor', monitor)
  return () => { process.removeListener('uncaughtExceptionMonitor', monitor) }
}
