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

/** One logger's part in the shared signal handlers. */
interface Registration {
  transport: EndableStream
  flush: (cb: () => void) => void
  budgetMs: number
}

/**
 * The loggers whose signals are handled, and the handlers: one set for every logger of the process,
 * on `process` under a global symbol so that other copies of curator-log share it too. With a handler
 * each, every logger saw the others' as the application's own, only flushed, and nobody ended the process.
 */
interface Registry {
  entries: Set<Registration>
  handlers: Map<string, () => void>
}

const REGISTRY = Symbol.for('curator-log.signal-handlers')

/**
 * On SIGTERM, SIGINT, SIGHUP or SIGQUIT: when nobody else handles the signal, end every logger's
 * transport (commit, else spill) and raise the signal again so the process ends as it would have;
 * when the application has its own handler, only flush and leave the exit to it. Returns the function
 * that removes this transport (and, with the last one, the handlers).
 */
export function handleSignals (transport: EndableStream, flush: (cb: () => void) => void, budgetMs = 9500): () => void {
  const holder = process as unknown as Record<symbol, Registry | undefined>
  const registry = holder[REGISTRY] ??= { entries: new Set(), handlers: new Map() }
  const entry = { transport, flush, budgetMs }
  registry.entries.add(entry)
  if (registry.handlers.size === 0) {
    for (const sig of SIGNALS) {
      const handler = (): void => { onSignal(registry, sig, handler) }
      registry.handlers.set(sig, handler)
      process.on(sig, handler)
    }
  }
  return () => {
    registry.entries.delete(entry)
    if (registry.entries.size > 0) return
    for (const [sig, handler] of registry.handlers) process.removeListener(sig, handler)
    registry.handlers.clear()
  }
}

function onSignal (registry: Registry, sig: typeof SIGNALS[number], handler: () => void): void {
  if (process.listenerCount(sig) > 1) {
    for (const { flush } of registry.entries) flush(() => {})
    return
  }
  process.removeListener(sig, handler)
  registry.handlers.delete(sig)
  const reraise = (): void => { process.kill(process.pid, sig) }
  // Lines logged by other code reacting to the same signal in this tick still get in. Then the streams
  // are ended synchronously and the signal raised again in the same tick: no timer of the app runs
  // while a stream is ending, so no line meets an ending stream (and its error).
  setImmediate(() => {
    const closing: Registration[] = []
    for (const entry of registry.entries) {
      // Already ending (close() was called): waited for below, within its budget.
      if (entry.transport.writableEnded) closing.push(entry)
      else endNow(entry.transport)
    }
    if (closing.length === 0) return reraise()
    const timer = setTimeout(reraise, Math.max(...closing.map(e => e.budgetMs)))
    let open = closing.length
    for (const { transport } of closing) transport.once('close', () => { if (--open === 0) { clearTimeout(timer); reraise() } })
  })
}

/** The signal ends the process either way: a stream that cannot end must not keep the others from ending. */
function endNow (transport: EndableStream): void {
  try { transport.flushSync() } catch {}
  try { transport.end() } catch {}
}

/** Logs uncaught exceptions and unhandled rejections at fatal; pino's exit hook then ends the transport. */
export function handleExceptions (logger: Logger): () => void {
  const monitor = (err: Error, origin: string): void => {
    logger.fatal({ err, origin }, origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception')
  }
  process.on('uncaughtExceptionMonitor', monitor)
  return () => { process.removeListener('uncaughtExceptionMonitor', monitor) }
}
