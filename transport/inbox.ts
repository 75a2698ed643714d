import { detached } from './detached-string.js'

/**
 * Spilling a line not handled costs about twice what handling it does (measured: parsing and
 * sanitizing it, then writing its row as JSON; see docs/delivery.md).
 */
const SPILL_COST = 2

/**
 * Lines waiting to be parsed and mapped. They are handled in slices of a few milliseconds, so the
 * worker's event loop keeps answering PostgreSQL between slices: a COPY that finished is committed
 * and the next one started while a large burst of lines is still being turned into rows.
 *
 * The inbox holds at most `maxBytes` (UTF-16 length): thread-stream hands the worker lines as fast
 * as the app writes them, whatever the parsing rate, so a line that does not fit goes to `overflow`
 * unparsed (to be spilled as it is) instead of growing the heap.
 */
export class Inbox {
  #lines: string[] = []
  #head = 0
  #scheduled = false
  #waiters: Array<() => void> = []
  /** Bytes of the lines waiting. */
  bytes = 0
  /** Bytes handled so far and the time that took: the rate drainedBy reckons with. */
  #handledBytes = 0
  #handledMs = 0
  readonly #handle: (line: string) => void
  readonly #maxBytes: number
  readonly #overflow: (line: string) => void
  readonly #sliceMs: number

  constructor (
    handle: (line: string) => void,
    maxBytes = Infinity,
    overflow: (line: string) => void = handle,
    sliceMs = 4
  ) {
    this.#handle = handle
    this.#maxBytes = maxBytes
    this.#overflow = overflow
    this.#sliceMs = sliceMs
  }

  push (line: string): void {
    if (this.bytes + line.length > this.#maxBytes) return this.#overflow(line)
    this.enqueue(line)
  }

  /** Takes a line past the bound (what the overflow decided to keep rather than drop). */
  enqueue (line: string): void {
    // Held for a while: not as a slice of the chunk it came in (see detached).
    this.#lines.push(detached(line))
    this.bytes += line.length
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#drain)
    }
  }

  /** Resolves once every line pushed so far has been handled. */
  drained (): Promise<void> {
    if (!this.#scheduled) return Promise.resolve()
    return new Promise(resolve => this.#waiters.push(resolve))
  }

  /**
   * Resolves once every line pushed so far has been handled, or, with the lines not handled yet taken
   * out of the inbox, once what is left would take until `deadlineMs` (epoch) to be sanitized and
   * spilled: that costs about what handling them does (see SPILL_COST), so the caller can still write
   * them to disk before the deadline (keeping back at most half the time left).
   */
  async drainedBy (deadlineMs: number): Promise<string[]> {
    const drained = this.drained().then(() => true)
    // At most half the time is kept back: the first lines a worker handles are slow (code not compiled
    // yet), and a rate read from them alone would leave lines unparsed that had time to be.
    const most = (deadlineMs - Date.now()) / 2
    for (;;) {
      const left = deadlineMs - Date.now() - Math.min(most, SPILL_COST * this.#msFor(this.bytes))
      if (left <= 0) break
      let timer: NodeJS.Timeout | undefined
      const done = await Promise.race([drained, new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), Math.min(left, 50)) })])
      clearTimeout(timer)
      if (done) return []
    }
    const rest = this.#lines.slice(this.#head)
    this.#lines.length = 0
    this.#head = 0
    this.bytes = 0
    return rest
  }

  /** How long handling `bytes` of lines takes, at the rate seen so far (0 before any was handled). */
  #msFor (bytes: number): number {
    return this.#handledBytes === 0 ? 0 : bytes * this.#handledMs / this.#handledBytes
  }

  readonly #drain = (): void => {
    const from = performance.now()
    const until = from + this.#sliceMs
    const lines = this.#lines
    const bytes = this.bytes
    while (this.#head < lines.length) {
      const line = lines[this.#head++]
      this.bytes -= line.length
      this.#handle(line)
      if ((this.#head & 31) === 0 && performance.now() > until) break
    }
    this.#handledMs += performance.now() - from
    this.#handledBytes += bytes - this.bytes
    if (this.#head < lines.length) {
      // Handled lines are let go of as the slices go, not only once the burst is over.
      if (this.#head > 4096) {
        this.#lines = lines.slice(this.#head)
        this.#head = 0
      }
      setImmediate(this.#drain)
      return
    }
    this.#lines = []
    this.#head = 0
    this.bytes = 0
    this.#scheduled = false
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
