/** What of thread-stream's ThreadStream is wrapped here. */
export interface CoalescableStream {
  write (data: string): boolean
  flush (cb: (err?: Error) => void): void
  flushSync (): void
  end (): void
  readonly writableEnded: boolean
  readonly destroyed?: boolean
}

// Taken when this module loads: a test that fakes setTimeout later (node:test's mock.timers, sinon)
// would otherwise hold the lines until it ticks, and after its reset leave an id that never fires.
const { setTimeout: arm, clearTimeout: disarm } = globalThis

/** The longest a line waits on the app thread before it is handed to the worker, in ms. */
export const COALESCE_MS = 5
/** Characters of waiting lines that are handed over at once, without waiting. */
export const COALESCE_CHARS = 64 * 1024

/**
 * Hands lines to the worker a few at a time instead of one by one. thread-stream wakes its worker
 * for every event-loop turn that wrote, and a busy server writes one line per turn or so: each wake
 * costs both threads more than the line itself (about a sixth of a logged request's CPU at 25 000
 * requests/s, measured by bench/http.ts). Lines wait at most `COALESCE_MS` on the app thread, and
 * every way the stream is flushed or ended (pino's flush and exit hooks, signals, close) hands them
 * over first, so none is left behind. `refused` takes the lines that meet a worker already gone.
 * Returns the function that hands the waiting lines over now.
 */
export function coalesceWrites (stream: CoalescableStream, refused: (lines: string) => void): () => void {
  const write = stream.write.bind(stream)
  const flush = stream.flush.bind(stream)
  const flushSync = stream.flushSync.bind(stream)
  const end = stream.end.bind(stream)
  let waiting = ''
  let timer: ReturnType<typeof setTimeout> | undefined

  const handOver = (): void => {
    if (timer !== undefined) {
      disarm(timer)
      timer = undefined
    }
    if (waiting === '') return
    const lines = waiting
    waiting = ''
    if (stream.destroyed === true) refused(lines)
    else write(lines)
  }

  stream.write = (data: string): boolean => {
    // Ending or gone: thread-stream refuses the line at once, as before, and says so.
    if (stream.writableEnded || stream.destroyed === true) return write(data)
    waiting += data
    if (waiting.length >= COALESCE_CHARS) handOver()
    // Unreferenced: it must not keep up a process whose own timers are unreferenced (it would re-arm
    // for ever). A process that ends with lines waiting hands them over in pino's exit hooks.
    else timer ??= arm(handOver, COALESCE_MS).unref()
    return true
  }
  stream.flush = cb => { handOver(); flush(cb) }
  stream.flushSync = () => { handOver(); flushSync() }
  stream.end = () => { handOver(); end() }
  return handOver
}
