import { isatty } from 'node:tty'
import { integer, object } from '../lib/core/validate.js'
import type { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import { jsonSafe, printablePretty } from '../lib/sanitizer/printable.js'
import { isLosslessNumber, stringifyExact } from './exact-json.js'
import { setField } from '../lib/sanitizer/values.js'
import type { LevelNames } from '../lib/core/levels.js'
import type { OwnedFields } from './pino-line.js'
import type { ConsoleOutputOptions } from '../lib/core/transport-options.js'
import { SonicBoom } from './worker-stderr.js'

/** Prints lines after sanitizing: a clean line as it came, any other from its sanitized record. */
export class ConsoleOutput {
  readonly minLevel: number
  readonly #out: InstanceType<typeof SonicBoom>
  readonly #pretty: ((record: Record<string, unknown>) => string) | undefined
  readonly #sanitizer: Sanitizer

  /** @param prettyFactory pino-pretty's, loaded by the caller only when `o.pretty` (it is slow to load) */
  constructor (o: ConsoleOutputOptions, sanitizer: Sanitizer, levels: LevelNames, customLevels: Record<string, number>, messageKey: string, errorKey: string, prettyFactory?: (options: object) => (record: object) => string) {
    this.#sanitizer = sanitizer
    object('console', o, 'an object or false')
    this.minLevel = o.level === undefined ? -Infinity : levels.floor('console.level', o.level)
    const fd = integer('console.destination', o.destination ?? 1, { min: 0 })
    this.#out = new SonicBoom({ fd, sync: false })
    this.#pretty = o.pretty === true && prettyFactory
      ? printablePretty(prettyFactory({ colorize: o.colorize ?? isatty(fd), messageKey, errorLikeObjectKeys: [errorKey, 'err', 'error'], customLevels: Object.keys(customLevels).length > 0 ? customLevels : undefined, ...o.prettyOptions }), messageKey, errorKey)
      : undefined
  }

  /** A line the sanitizer leaves as it is (the worker's fast path proved so). */
  printClean (line: string, level: number): void {
    if (level < this.minLevel) return
    this.#write(line)
  }

  /** A parsed line (numbers read exactly), sanitized here on a copy: the record goes on to the table. */
  printRecord (record: Record<string, unknown>, level: number, owned?: OwnedFields): void {
    if (level < this.minLevel) return
    let clean = this.#sanitizer.sanitizeParsed(copyForSanitizing(record, this.#sanitizer.maxDepth) as Record<string, unknown>)
    // pino's own level and time were taken out of the record (see parseLine): they lead the line again,
    // as pino wrote them. Logged fields of those names (kept in the table's context) would be read as
    // the line's own by anything that keeps the last of a repeated key, so the console leaves them out.
    if (owned !== undefined) {
      const { level: _level, time: _time, ...rest } = clean
      clean = { level: owned.level, ...(owned.time === undefined ? {} : { time: owned.time }), ...rest }
    }
    this.#write(stringifyExact(clean))
  }

  /** A sanitized line, pretty when asked; as JSON when pino-pretty cannot format it (a level of no type it reads). */
  #write (text: string): void {
    if (this.#pretty) {
      try {
        this.#out.write(this.#pretty(JSON.parse(text)))
        return
      } catch {}
    }
    this.#out.write(jsonSafe(text) + '\n')
  }

  /** Resolves once every line printed so far is written (or stdout refused it: EPIPE, closed). */
  flush (): Promise<void> {
    // sonic-boom's flush() calls back at once when nothing is buffered, even with a write in flight,
    // and says when it is idle only through its state.
    const out = this.#out as unknown as { _writing: boolean, destroyed: boolean }
    return new Promise(resolve => {
      const check = (): void => { if (!out._writing || out.destroyed) resolve(); else setTimeout(check, 1) }
      check()
    })
  }

  /**
   * Writes what is left, then closes, and resolves when done: the worker ends after this, and a write
   * still in flight would be lost (flushSync() would also put the lines after it first).
   */
  close (): Promise<void> {
    return new Promise(resolve => {
      this.#out.once('close', () => resolve())
      this.#out.once('error', () => resolve())
      this.#out.end()
    })
  }
}

/**
 * A copy of what the sanitizer changes in place, `depth` levels (its maxDepth), sharing what lies
 * deeper: it never visits that, and writes its mark instead. (Written out and read back, a value
 * nested thousands deep would overflow the stack.)
 */
function copyForSanitizing (value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || isLosslessNumber(value) || depth <= 0) return value
  if (Array.isArray(value)) return value.map(v => copyForSanitizing(v, depth - 1))
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value)) setField(out, k, copyForSanitizing((value as Record<string, unknown>)[k], depth - 1))
  return out
}
