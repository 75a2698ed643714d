import { UnknownLevelError } from './errors.js'
import { integer } from './validate.js'
import { cleanString } from '../sanitizer/values.js'

const MAX_LEVEL_LENGTH = 64

/** pino's default levels; custom levels come from the transport's `levels` option. */
export const PINO_LEVELS: Readonly<Record<string, number>> = {
  trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60
}

/** Maps pino level numbers and labels to the level name stored in the table. */
export class LevelNames {
  readonly #byNumber = new Map<number, string>()
  readonly #byName = new Map<string, number>()
  // Labels in another case (a formatter writing `INFO`) are read as the level of that name.
  readonly #byLowerName = new Map<string, string>()

  constructor (custom: Record<string, number> = {}) {
    for (const [name, n] of Object.entries({ ...PINO_LEVELS, ...custom })) {
      integer(`levels.${name}`, n)
      this.#byNumber.set(n, name)
      this.#byName.set(name, n)
      if (!this.#byLowerName.has(name.toLowerCase())) this.#byLowerName.set(name.toLowerCase(), name)
    }
  }

  /**
   * The stored name: a known label as named (`AUDIT` stays `AUDIT`), a known label in another case as
   * named (`INFO` is `info`), a known number by its label, anything else as lower-case text, at most 64
   * characters and without NUL (which PostgreSQL refuses), so that no level can fail a row.
   */
  name (level: unknown): string {
    if (typeof level === 'number') return this.#byNumber.get(level) ?? String(level)
    if (typeof level !== 'string' || level === '') return 'info'
    if (this.#byName.has(level)) return level
    const lower = cleanString(level.slice(0, MAX_LEVEL_LENGTH).toLowerCase())
    return this.#byLowerName.get(lower) ?? lower
  }

  /** The numeric value of a stored name (undefined for names that are not levels). */
  value (name: string): number | undefined {
    return this.#byName.get(name)
  }

  /** The numeric value of `level` (a name or a number), given as `option`: an UnknownLevelError when it is not a level. */
  floor (option: string, level: string | number): number {
    const n = typeof level === 'number' ? level : this.#byName.get(level)
    if (n === undefined) throw new UnknownLevelError(option, level, [...this.#byName.keys()])
    return n
  }

  /** Every level name at or above `min`, for `level IN (...)` filters. */
  atOrAbove (min: string, option = 'level'): string[] {
    const floor = this.floor(option, min)
    return [...this.#byName].filter(([, n]) => n >= floor).map(([name]) => name)
  }
}
