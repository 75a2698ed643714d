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
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`curator-log: sanitize.${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

export function stringList (name: string, value: unknown): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every(v => typeof v === 'string' && v !== '')) {
    throw new TypeError(`curator-log: sanitize.${name} must be an array of non-empty strings`)
  }
  return value
}

export function patternList (value: unknown): (PatternRule | string)[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new TypeError('curator-log: sanitize.patterns must be an array')
  return value
}
