import type { Logger } from 'pino'

/** The part of thread-stream's ThreadStream the signal handlers use. */
export interface EndableStream {
  end (): void
  flushSync (): void
  readonly writableEnded: boolean
  once (e: string, f: () => void): unknown
}

/**
 * The signals whose default action ends the process, handled so that no accepted line is lost:
 * SIGHUP is what a closed terminal or ssh session sends, SIGQUIT ends with a core dump once raised again.
 */
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const

/**
 * On SIGTERM, SIGINT, SIGHUP or SIGQUIT: when nobody else handles the signal, end the transport (commit, else spill)
 * and raise the signal again so the process ends as it would have; when the application has its
 * own handler, only flush and leave the exit to it. Returns the function that removes the handlers.
 */
export function handleSignals (transport: EndableStream, flush: (cb: () => void) => void, budgetMs = 9500): () => void {
  const handlers = SIGNALS.map(sig => {
    const handler = (): void => {
      if (process.listenerCount(sig) > 1) {
        flush(() => {})
        return
      }
      process.removeListener(sig, handler)
      const reraise = (): void => { process.kill(process.pid, sig) }
      if (transport.writableEnded) {
        // Already ending (close() was called): wait for the worker, within the budget.
        const timer = setTimeout(reraise, budgetMs)
        transport.once('close', () => { clearTimeout(timer); reraise() })
        return
      }
      // Lines logged by other code reacting to the same signal in this tick still get in. Then the
      // stream is ended synchronously and the signal raised again in the same tick: no timer of the
      // app runs while the stream is ending, so no line meets an ending stream (and its error).
      setImmediate(() => {
        try {
          transport.flushSync()
          transport.end()
        } finally {
          reraise()
        }
      })
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
