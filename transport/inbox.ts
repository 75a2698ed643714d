/**
 * Lines waiting to be parsed and mapped. They are handled in slices of a few milliseconds, so the
 * worker's event loop keeps answering PostgreSQL between slices: a COPY that finished is committed
 * and the next one started while a large burst of lines is still being turned into rows.
 */
export class Inbox {
  private lines: string[] = []
  private head = 0
  private scheduled = false
  private waiters: Array<() => void> = []

  constructor (private readonly handle: (line: string) => void, private readonly sliceMs = 4) {}

  push (line: string): void {
    this.lines.push(line)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.drain)
    }
  }

  /** Resolves once every line pushed so far has been handled. */
  drained (): Promise<void> {
    if (!this.scheduled) return Promise.resolve()
    return new Promise(resolve => this.waiters.push(resolve))
  }

  private readonly drain = (): void => {
    const until = performance.now() + this.sliceMs
    const lines = this.lines
    while (this.head < lines.length) {
      this.handle(lines[this.head++])
      if ((this.head & 31) === 0 && performance.now() > until) break
    }
    if (this.head < lines.length) {
      setImmediate(this.drain)
      return
    }
    this.lines = []
    this.head = 0
    this.scheduled = false
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}
