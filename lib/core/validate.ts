/**
 * The checks every entry point (createLogger, the transport worker, the HTTP middleware and Fastify
 * plugin, the CLI) runs on its options, so that one fault reads the same, with the same code, wherever
 * it is caught: `curator-log: <option> must be <what is accepted>, got <value>`.
 */
import leven from 'leven'
import { ERROR_CODES, type ErrorCode, OptionError } from './errors.js'

/** A value as a message quotes it: JSON where JSON can say it, else its kind. */
export function show (value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof value === 'bigint') return `${value}n`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** `option must be <accepted>, got <value>` with this code. */
export function invalid (code: ErrorCode, option: string, accepted: string, value: unknown): OptionError {
  return new OptionError(code, option, ` must be ${accepted}, got ${show(value)}`, value)
}

/** Bounds of a numeric option; both inclusive. */
export interface Range { min?: number, max?: number }

function integerText ({ min, max }: Range): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`
  if (min === 1) return 'a positive integer'
  return min === undefined ? 'an integer' : `an integer >= ${min}`
}

/** An integer within `range`. Not a number: OPTION_TYPE; a fraction or out of range: OPTION_RANGE. */
export function integer (option: string, value: unknown, range: Range = {}): number {
  if (typeof value !== 'number') throw invalid(ERROR_CODES.OPTION_TYPE, option, integerText(range), value)
  if (!Number.isInteger(value) || value < (range.min ?? -Infinity) || value > (range.max ?? Infinity)) {
    throw invalid(ERROR_CODES.OPTION_RANGE, option, integerText(range), value)
  }
  return value
}

/** A finite number above `above` (exclusive) or from `min` (inclusive). */
export function finiteNumber (option: string, value: unknown, bound: { above: number } | { min: number }): number {
  const accepted = 'above' in bound ? (bound.above === 0 ? 'a positive number' : `a number > ${bound.above}`) : `a number >= ${bound.min}`
  if (typeof value !== 'number') throw invalid(ERROR_CODES.OPTION_TYPE, option, accepted, value)
  if (!Number.isFinite(value) || ('above' in bound ? !(value > bound.above) : !(value >= bound.min))) {
    throw invalid(ERROR_CODES.OPTION_RANGE, option, accepted, value)
  }
  return value
}

export function nonEmptyString (option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(ERROR_CODES.OPTION_TYPE, option, 'a non-empty string', value)
  return value
}

export function boolean (option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(ERROR_CODES.OPTION_TYPE, option, 'true or false', value)
  return value
}

/** A boolean environment variable: 1/true/yes/on or 0/false/no/off; unset or empty is undefined. */
export function envFlag (name: string, text: string | undefined): boolean | undefined {
  if (text === undefined || text === '') return undefined
  if (/^(1|true|yes|on)$/i.test(text)) return true
  if (/^(0|false|no|off)$/i.test(text)) return false
  throw invalid(ERROR_CODES.OPTION_VALUE, name, 'true or false', text)
}

/** One of `choices`, compared with ===. */
export function oneOf<T extends string> (option: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    const code = typeof value === 'string' ? ERROR_CODES.OPTION_VALUE : ERROR_CODES.OPTION_TYPE
    throw invalid(code, option, choices.length === 1 ? choices[0] : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`, value)
  }
  return value as T
}

/** A plain object (not null, not an array); `accepted` says what else the option takes, e.g. `an object or false`. */
export function object (option: string, value: unknown, accepted = 'an object'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(ERROR_CODES.OPTION_TYPE, option, accepted, value)
  return value as Record<string, unknown>
}

export function stringList (option: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every(v => typeof v === 'string' && v !== '')) {
    throw invalid(ERROR_CODES.OPTION_TYPE, option, 'an array of non-empty strings', value)
  }
  return value
}

/** Two options that cannot go together: `option` is the one to change. */
export function conflict (option: string, detail: string): OptionError {
  return new OptionError(ERROR_CODES.OPTION_CONFLICT, option, detail)
}

/**
 * OPTION_UNKNOWN for the first key of `value` that is neither in `known` nor in `unlisted` (`option` is
 * the path of the object, '' at the top): a misspelt option would otherwise be ignored without a word.
 * The message lists `known` and suggests the name in it nearest to the key; `unlisted` names (internal
 * ones, for tests or added by pino) are accepted but never shown, since no user should set them.
 */
export function knownKeys (option: string, value: object, known: readonly string[], unlisted: readonly string[] = []): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || unlisted.includes(key)) continue
    const near = nearestName(key, known)
    const hint = near !== undefined ? `did you mean ${near}? ` : ''
    throw new OptionError(ERROR_CODES.OPTION_UNKNOWN, option === '' ? key : `${option}.${key}`, ` is not an option${option === '' ? '' : ` of ${option}`} (${hint}known: ${known.join(', ')})`)
  }
}

/**
 * The name in `known` nearest to a misspelt `name` (case aside), when it is near enough to be what was
 * meant: at most 2 edits, or a third of the name's length for a long one, and fewer than the name has
 * letters (`to` is not a misspelt `now`). Undefined otherwise.
 */
export function nearestName (name: string, known: readonly string[]): string | undefined {
  const near = known.map(k => ({ k, d: leven(name.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0]
  return near !== undefined && near.d < name.length && near.d <= Math.max(2, Math.floor(name.length / 3)) ? near.k : undefined
}

/**
 * The keys of `T`, listed at run time for {@link knownKeys}: `everyKey<T>()([...])` does not compile
 * when the list lacks a key of `T` (the error names it) or has one `T` does not.
 */
export function everyKey<T> () {
  return <const L extends ReadonlyArray<keyof T>>(keys: L & (Exclude<keyof T, L[number]> extends never ? unknown : { missing: Exclude<keyof T, L[number]> })): readonly string[] => keys as readonly string[]
}
