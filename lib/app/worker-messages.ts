import { FLUSHED_EVENT, FLUSH_REQUEST, STATS_EVENT, STATS_REQUEST } from '../core/worker-protocol.js'
import type { TransportStats } from '../core/transport-stats.js'
import { CuratorLogError, ERROR_CODES } from '../core/errors.js'

/** The ThreadStream that pino.transport() returns, as far as messages go. */
export interface WorkerStream {
  worker?: { postMessage (m: unknown): void }
  /** True once the worker has exited: no 'close' comes any more, so nobody would answer. */
  readonly closed?: boolean
  readonly destroyed?: boolean
  on (event: string, fn: (...args: any[]) => void): unknown
  off (event: string, fn: (...args: any[]) => void): unknown
}

let nextId = 0

/** The documented error for a question the worker cannot answer because it has ended (or never ran). */
export function workerNotRunning (cause?: unknown): CuratorLogError {
  return new CuratorLogError(ERROR_CODES.WORKER_UNAVAILABLE, 'the transport worker is not running', cause === undefined ? undefined : { cause })
}

function ask (stream: WorkerStream, code: string, event: string, extra: Record<string, unknown> = {}): Promise<TransportStats> {
  const id = `${process.pid}-${++nextId}`
  return new Promise((resolve, reject) => {
    if (!stream.worker || stream.closed === true || stream.destroyed === true) return reject(workerNotRunning())
    // pino unrefs its worker: without a referenced handle a short script would exit (code 13 on a
    // top-level await) before the answer arrives.
    const alive = setInterval(() => {}, 60_000)
    const onEvent = (got: unknown, stats: TransportStats): void => {
      if (got !== id) return
      cleanup()
      resolve(stats)
    }
    const onClose = (): void => {
      cleanup()
      reject(new CuratorLogError(ERROR_CODES.WORKER_UNAVAILABLE, 'the transport worker exited'))
    }
    const cleanup = (): void => {
      clearInterval(alive)
      stream.off(event, onEvent)
      stream.off('close', onClose)
    }
    stream.on(event, onEvent)
    stream.on('close', onClose)
    stream.worker.postMessage({ ...extra, code, id })
  })
}

/** Asks the transport to commit or spill every line it has; resolves with its counters after. */
export function requestFlush (stream: WorkerStream): Promise<TransportStats> {
  return ask(stream, FLUSH_REQUEST, FLUSHED_EVENT)
}

/** The transport's counters now; `collectGarbage` first runs the worker's GC when it was started with --expose-gc. */
export function requestStats (stream: WorkerStream, collectGarbage = false): Promise<TransportStats> {
  return ask(stream, STATS_REQUEST, STATS_EVENT, collectGarbage ? { gc: true } : {})
}
