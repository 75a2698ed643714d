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
  /** Signals being handled: the streams are ending, the signal is raised again when they are done. */
  ending: Set<string>
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
  const registry = holder[REGISTRY] ??= { entries: new Set(), handlers: new Map(), ending: new Set() }
  const entry = { transport, flush, budgetMs }
  registry.entries.add(entry)
  if (registry.handlers.size === 0) {
    for (const sig of SIGNALS) {
      const handler = (): void => { onSignal(registry, sig, handler) }
      registry.handlers.set(sig, handler)
      // First: the application's handlers are all still there when it runs, a process.once() one too
      // (its wrapper removes itself before it is called).
      process.prependListener(sig, handler)
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
  const raise = (): void => {
    process.removeListener(sig, handler)
    registry.handlers.delete(sig)
    registry.ending.delete(sig)
    process.kill(process.pid, sig)
  }
  // The same signal again while the streams end: the sender insists.
  if (registry.ending.has(sig)) return raise()
  if (process.listenerCount(sig) - 1 - signalExitListeners() > 0) {
    for (const { flush } of registry.entries) flush(() => {})
    return
  }
  registry.ending.add(sig)
  // Lines logged by other code reacting to the same signal in this tick still get in. Then the streams
  // are ended synchronously and the signal raised again in the same tick: no timer of the app runs
  // while a stream is ending, so no line meets an ending stream (and its error). Our handler stays
  // until then, so that signal-exit (which acts only when it is alone) waits too.
  setImmediate(() => {
    // Already ending (close() was called): waited for first, within its budget, the others taking lines meanwhile.
    const closing = [...registry.entries].filter(e => e.transport.writableEnded)
    const endAll = (): void => {
      for (const { transport } of registry.entries) if (!transport.writableEnded) endNow(transport)
      raise()
    }
    if (closing.length === 0) return endAll()
    const timer = setTimeout(endAll, Math.max(...closing.map(e => e.budgetMs)))
    let open = closing.length
    for (const { transport } of closing) transport.once('close', () => { if (--open === 0) { clearTimeout(timer); endAll() } })
  })
}

/**
 * The handlers signal-exit (v3 and v4, loaded by many a tool and library) adds: one a copy. signal-exit
 * acts only when no other handler is there, as curator-log does for the application's: counted as
 * the application's, each would wait for the other and the signal would end nothing.
 */
function signalExitListeners (): number {
  const v4 = (globalThis as unknown as Record<symbol, { count?: unknown } | undefined>)[Symbol.for('signal-exit emitter')]?.count
  const v3 = (process as unknown as { __signal_exit_emitter__?: { count?: unknown } }).__signal_exit_emitter__?.count
  return (typeof v4 === 'number' ? v4 : 0) + (typeof v3 === 'number' ? v3 : 0)
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
