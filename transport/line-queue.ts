import { detached } from './detached-string.js'

/** A FIFO of encoded COPY lines that knows its size in bytes (UTF-16 length, a cheap upper bound). */
export class LineQueue {
  #items: string[] = []
  #head = 0
  bytes = 0

  get length (): number {
    return this.#items.length - this.#head
  }

  push (line: string): void {
    // A row is built from slices of its pino line: kept as they are, they would pin the line's chunk.
    this.#items.push(detached(line))
    this.bytes += line.length + 1
  }

  /** Puts lines back at the front, in order (a batch that could not be delivered yet). */
  unshift (lines: string[]): void {
    this.#items = lines.concat(this.#items.slice(this.#head))
    this.#head = 0
    for (const l of lines) this.bytes += l.length + 1
  }

  /** Removes and returns up to `maxRows` lines, stopping once `maxBytes` is reached. */
  take (maxRows: number, maxBytes: number): string[] {
    const out: string[] = []
    let bytes = 0
    while (this.#head < this.#items.length && out.length < maxRows && (bytes < maxBytes || out.length === 0)) {
      const line = this.#items[this.#head++]
      bytes += line.length + 1
      out.push(line)
    }
    this.bytes -= bytes
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return out
  }
}
