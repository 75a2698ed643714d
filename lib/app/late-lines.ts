import { writeSync } from 'node:fs'
import { Sanitizer, type SanitizerOptions } from '../sanitizer/sanitizer.js'

/** What of thread-stream's stream this needs. */
interface WorkerStream {
  readonly writableEnded: boolean
  readonly destroyed?: boolean
  on (e: 'error', f: (err: Error) => void): unknown
}

/**
 * Lines logged once the transport is ending or its worker is gone (logged after `close()`, by a
 * request still in flight at shutdown, or after the worker died). thread-stream refuses them with an
 * 'error' event, which, unheard, ends the application; here they go to stderr instead, sanitized with
 * the worker's rules, and a first warning says why. (Sanitized from a plain JSON.parse: an integer
 * beyond 2^53 printed here loses digits, as the database's copy would not.)
 */
export class LateLines {
  readonly #stream: WorkerStream
  readonly #rules: SanitizerOptions | undefined
  #sanitizer: Sanitizer | undefined
  #warned = false

  constructor (stream: WorkerStream, rules: SanitizerOptions | undefined) {
    this.#stream = stream
    this.#rules = rules
    // The refusal of each late line, and the worker's own exit: both are reported through stderr here.
    stream.on('error', err => this.#warn(`curator-log: the transport's worker is not running (${err.message}); lines logged from now on are written to stderr, sanitized`))
  }

  /** True once a line written to the transport would be refused. */
  get active (): boolean {
    return this.#stream.writableEnded || this.#stream.destroyed === true
  }

  /** Writes the line to stderr, sanitized; returns it for the transport (which refuses it, heard). */
  write (line: string): string {
    this.#warn('curator-log: a line was logged after the logger was closed (close it once the server has drained); it and later ones are written to stderr, sanitized')
    this.#print(line)
    return line
  }

  /** Lines that were waiting to be handed to the worker when it was found gone: to stderr, sanitized. */
  refused (lines: string): void {
    for (const line of lines.split('\n')) if (line !== '') this.#print(line)
  }

  #print (line: string): void {
    this.#sanitizer ??= new Sanitizer(this.#rules)
    let text: string
    try {
      const record = JSON.parse(line) as unknown
      text = record !== null && typeof record === 'object' && !Array.isArray(record)
        ? JSON.stringify(this.#sanitizer.sanitizeParsed(record as Record<string, unknown>))
        : this.#sanitizer.sanitizeString(line.trimEnd())
    } catch {
      text = this.#sanitizer.sanitizeString(line.trimEnd())
    }
    try { writeSync(2, text + '\n') } catch {}
  }

  #warn (text: string): void {
    if (this.#warned) return
    this.#warned = true
    try { writeSync(2, text + '\n') } catch {}
  }
}
