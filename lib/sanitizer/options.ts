import { ERROR_CODES } from '../core/errors.js'
import { everyKey, integer, invalid, stringList as strings } from '../core/validate.js'
import type { PatternRule } from './value-patterns.js'

/**
 * Sanitizer settings. Plain JSON data, so that the same object configures the transport in its worker.
 */
export interface SanitizerOptions {
  /** Nesting levels kept; deeper values become `"[MAX_DEPTH_EXCEEDED]"`. Default 5 (the reference's). */
  maxDepth?: number
  /** Items kept per array; the rest are replaced by one `"[TRUNCATED n items]"` marker. Default 100. */
  maxArrayLength?: number
  /** Keys kept per object. Default 200. */
  maxObjectKeys?: number
  /** Characters kept per string value (after redaction). Default 8192. */
  maxStringLength?: number
  /** Extra sensitive key fragments, matched like the built-in ones (case, `_` and `-` ignored, substring). */
  sensitiveKeys?: string[]
  /** Keys exempt from the key rule, compared after normalisation (e.g. `cache_key`). */
  allowKeys?: string[]
  /**
   * Extra value rules, applied after the built-in ones. They run on RE2's linear-time engine (re2js),
   * so RE2 syntax: no look-ahead and no backreferences (look-behind is allowed). Flags: i, m, s.
   */
  patterns?: (PatternRule | string)[]
}

export function positiveInt (name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : integer(`sanitize.${name}`, value, { min: 1 })
}

export function stringList (name: string, value: unknown): string[] {
  return value === undefined ? [] : strings(`sanitize.${name}`, value)
}

export function patternList (value: unknown): (PatternRule | string)[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw invalid(ERROR_CODES.OPTION_TYPE, 'sanitize.patterns', 'an array', value)
  return value
}

/** Every key of {@link SanitizerOptions}, for the unknown-key check. */
export const SANITIZER_OPTION_KEYS = everyKey<SanitizerOptions>()(['maxDepth', 'maxArrayLength', 'maxObjectKeys', 'maxStringLength', 'sensitiveKeys', 'allowKeys', 'patterns'])
