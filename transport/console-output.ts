import { isatty } from 'node:tty'
import sonicBoom from 'sonic-boom'
import type { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import { printablePretty } from '../lib/sanitizer/printable.js'
import { parseExact, stringifyExact } from './exact-json.js'
import type { LevelNames } from './levels.js'

// sonic-boom is CommonJS: at run time its default export is the class its types call SonicBoom.
const SonicBoom = sonicBoom as unknown as typeof import('sonic-boom').SonicBoom

/**
 * The console output of the transport: the same sanitized lines that go to PostgreSQL, printed by
 * the worker, so that what a log collector reads from stdout has had the same rules applied.
 */
export interface ConsoleOutputOptions {
  /** pino-pretty lines (control characters escaped) instead of JSON lines. Default false. */
  pretty?: boolean
  /** Lowest level printed, a name or a number. Default: every line the transport receives. */
  level?: string | number
  /** File descriptor written to. Default 1 (stdout). */
  destination?: number
  /** Colours in pretty lines. Default: the destination is a terminal. */
  colorize?: boolean
  /** Further pino-pretty options, plain data (createLogger passes its messageKey, levels, time key). */
  prettyOptions?: Record<string, unknown>
}

/** Prints lines after sanitizing: a clean line as it came, any other from its sanitized record. */
export class ConsoleOutput {
  readonly minLevel: number
  private readonly out: InstanceType<typeof SonicBoom>
  private readonly pretty: ((record: Record<string, unknown>) => string) | undefined

  /** @param prettyFactory pino-pretty's, loaded by the caller only when `o.pretty` (it is slow to load) */
  constructor (o: ConsoleOutputOptions, private readonly sanitizer: Sanitizer, levels: LevelNames, customLevels: Record<string, number>, messageKey: string, errorKey: string, prettyFactory?: (options: object) => (record: object) => string) {
    if (o === null || typeof o !== 'object') throw new TypeError('curator-log: console must be an object or false')
    const level = o.level === undefined ? -Infinity : typeof o.level === 'number' ? o.level : levels.value(o.level)
    if (level === undefined) throw new TypeError(`curator-log: console.level ${JSON.stringify(o.level)} is not a level`)
    this.minLevel = level
    const fd = o.destination ?? 1
    if (!Number.isInteger(fd) || fd < 0) throw new TypeError('curator-log: console.destination must be a file descriptor')
    this.out = new SonicBoom({ fd, sync: false })
    this.pretty = o.pretty === true && prettyFactory
      ? printablePretty(prettyFactory({ colorize: o.colorize ?? isatty(fd), messageKey, errorLikeObjectKeys: [errorKey, 'err', 'error'], customLevels: Object.keys(customLevels).length > 0 ? customLevels : undefined, ...o.prettyOptions }), messageKey, errorKey)
      : undefined
  }

  /** A line the sanitizer leaves as it is (the worker's fast path proved so). */
  printClean (line: string, level: number): void {
    if (level < this.minLevel) return
    this.out.write(this.pretty ? this.pretty(JSON.parse(line)) : line + '\n')
  }

  /** A parsed line (numbers read exactly), sanitized here on a copy: the record goes on to the table. */
  printRecord (record: Record<string, unknown>, level: number): void {
    if (level < this.minLevel) return
    const text = stringifyExact(this.sanitizer.sanitizeParsed(parseExact(stringifyExact(record)) as Record<string, unknown>))
    this.out.write(this.pretty ? this.pretty(JSON.parse(text)) : text + '\n')
  }

  flush (): Promise<void> {
    return new Promise(resolve => {
      this.out.flush(() => resolve())
    })
  }

  close (): void {
    try {
      this.out.flushSync()
    } catch {
      // A closed stdout (EPIPE) takes nothing more: the database output still does.
    }
    this.out.end()
  }
}
