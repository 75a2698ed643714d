import { isLosslessNumber } from 'lossless-json'
import { ERROR_CODES } from '../core/errors.js'
import { invalid, knownKeys } from '../core/validate.js'
import { mayHoldSecret, secretMarks } from './prefilter.js'
import { percentDecoded } from './percent.js'
import { SENSITIVE_KEYS, SENSITIVE_KEY_WORDS, foldText, keyWords, normalizeKey } from './sensitive-keys.js'
import { type CompiledRule, VALUE_PATTERNS, compileBuiltIns } from './value-patterns.js'
import { SANITIZER_OPTION_KEYS, type SanitizerOptions, positiveInt, stringList, patternList } from './options.js'
import { type OnBadRule, compileUserRules } from './user-patterns.js'
import { cleanString, errorFields, freeKey, serializedBinary, setField } from './values.js'

export type { SanitizerOptions } from './options.js'
export { cleanString, setField } from './values.js'

export const REDACTED = '[REDACTED]'
export const MAX_DEPTH_EXCEEDED = '[MAX_DEPTH_EXCEEDED]'
const CIRCULAR = '[Circular]'
const SLACK = 512
const KEY_CACHE_LIMIT = 10_000
const VALUE_CACHE_LIMIT = 20_000
const CACHED_LENGTH = 256
const MAX_KEY_LENGTH = 256

// Shorter strings hold no secret any rule knows (`pwd=x` is the shortest).
const MIN_SECRET_LENGTH = 5

const BUILT_IN = compileBuiltIns(VALUE_PATTERNS)
// Decoding may bring NUL or new compatibility forms (%EF%BC%A0 is a fullwidth @): cleaned and folded again.
const FORMS = [foldText, (s: string) => cleanString(percentDecoded(s)), foldText]

/**
 * Redacts secrets and personal data from log values: sensitive keys at any depth, value patterns in
 * every string, and caps on depth, array length, object size and string length.
 */
export class Sanitizer {
  readonly maxDepth: number
  readonly maxArrayLength: number
  readonly maxObjectKeys: number
  readonly maxStringLength: number
  readonly #keyFragments: string[]
  readonly #allowKeys: Set<string>
  readonly #extraRules: CompiledRule[]
  readonly #keyCache = new Map<string, string | null>()
  readonly #valueCache = new Map<string, string>()

  /**
   * @param onBad Without it (the default) an invalid option throws a TypeError naming it. With it, as in
   *   the transport's worker, which cannot throw into the app, each invalid option is reported through
   *   it and left out: a bad pattern is skipped, a bad cap or key list takes its default.
   */
  constructor (options: SanitizerOptions = {}, onBad?: OnBadRule) {
    if (options === null || typeof options !== 'object') {
      if (onBad === undefined) throw invalid(ERROR_CODES.OPTION_TYPE, 'sanitize', 'an object', options)
      onBad('curator-log: sanitize options must be an object; the defaults apply')
      options = {}
    }
    const o = options
    const checked = <T>(fn: () => T, fallback: T): T => {
      if (onBad === undefined) return fn()
      try {
        return fn()
      } catch (err) {
        onBad(`${(err as Error).message}; the default applies`)
        return fallback
      }
    }
    try {
      knownKeys('sanitize', o, SANITIZER_OPTION_KEYS)
    } catch (err) {
      if (onBad === undefined) throw err
      onBad(`${(err as Error).message}; it is left out`)
    }
    this.maxDepth = checked(() => positiveInt('maxDepth', o.maxDepth, 5), 5)
    this.maxArrayLength = checked(() => positiveInt('maxArrayLength', o.maxArrayLength, 100), 100)
    this.maxObjectKeys = checked(() => positiveInt('maxObjectKeys', o.maxObjectKeys, 200), 200)
    this.maxStringLength = checked(() => positiveInt('maxStringLength', o.maxStringLength, 8192), 8192)
    this.#keyFragments = [...new Set([...SENSITIVE_KEYS, ...checked(() => stringList('sensitiveKeys', o.sensitiveKeys), [])].map(normalizeKey))]
    this.#allowKeys = new Set(checked(() => stringList('allowKeys', o.allowKeys), []).map(normalizeKey))
    this.#extraRules = compileUserRules(checked(() => patternList(o.patterns), []), 'sanitize.patterns', onBad)
  }

  /** Whether a key's value is replaced by `[REDACTED]` wholesale. */
  isSensitiveKey (key: string): boolean {
    const norm = normalizeKey(key)
    if (this.#allowKeys.has(norm)) return false
    for (const fragment of this.#keyFragments) {
      if (norm.includes(fragment)) return true
    }
    return keyWords(key).some(w => SENSITIVE_KEY_WORDS.includes(w))
  }

  /**
   * Whether {@link sanitizeString} would return `s.slice(start, end)` unchanged, checked without slicing
   * when no rule can match. The caller guarantees the part holds no NUL and no lone surrogate.
   */
  keepsAsIs (s: string, start = 0, end = s.length, maxLength = this.maxStringLength): boolean {
    if (end - start > maxLength) return false
    if (this.#extraRules.length === 0 && (end - start < MIN_SECRET_LENGTH || !mayHoldSecret(s, start, end))) return true
    const part = s.slice(start, end)
    return this.sanitizeString(part, maxLength) === part
  }

  /** Whether a key stays as it is: not sensitive, and unchanged by the value rules. */
  keepsKey (key: string): boolean {
    return key !== '__proto__' && this.#key(key) === key
  }

  /** Cleans, redacts and caps one string. */
  sanitizeString (value: string, maxLength = this.maxStringLength): string {
    // Log values repeat (paths, tenants, messages): short ones are remembered, so most cost a lookup.
    if (value.length <= CACHED_LENGTH && value.length <= maxLength) {
      let out = this.#valueCache.get(value)
      if (out === undefined) {
        out = this.#redact(value, maxLength)
        if (this.#valueCache.size >= VALUE_CACHE_LIMIT) this.#valueCache.clear()
        this.#valueCache.set(value, out)
      }
      return out
    }
    return this.#redact(value, maxLength)
  }

  #redact (value: string, maxLength: number): string {
    let s = cleanString(value)
    const long = s.length > maxLength
    if (long) s = s.slice(0, maxLength + SLACK)
    s = this.#applyToForms(s)
    if (long || s.length > maxLength) {
      s = (s.slice(0, maxLength) + `…[TRUNCATED ${value.length - maxLength} chars]`).toWellFormed()
    }
    return s
  }

  /**
   * The rules over `s` and over the forms it reads as: NFKC without invisible characters (ＰＡＳＳＷＯＲＤ：,
   * pass\u200bword=), then percent-decoded (jane%40example.com), then folded again. Each form is read
   * from the previous one as redacted, so what an earlier form redacted stays redacted. The last form in
   * which the rules find something is kept (folded, decoded, redacted); otherwise `s` as it came.
   */
  #applyToForms (s: string): string {
    let out = this.#applyRules(s)
    let form = out
    for (const next of FORMS) {
      const alt = next(form)
      if (alt === form) continue
      form = this.#applyRules(alt)
      if (form !== alt) out = form
    }
    return out
  }

  #applyRules (s: string): string {
    // One pass finds the marks; only the rules they point to run.
    const marks = s.length >= MIN_SECRET_LENGTH ? secretMarks(s) : 0
    if (marks !== 0) {
      for (const rule of BUILT_IN) if ((rule.marks & marks) !== 0) s = rule.replace(s)
    }
    for (const rule of this.#extraRules) if (rule.test(s)) s = rule.replace(s)
    return s
  }

  /** Any value: objects and arrays are copied, never mutated. */
  sanitize (value: unknown, maxDepth = this.maxDepth): unknown {
    return this.#walk(value, maxDepth, new Set())
  }

  /** An object's own fields, sanitized, as a new plain object (`{}` for null and undefined). */
  sanitizeObject (data: Record<string, unknown> | null | undefined, maxDepth = this.maxDepth): Record<string, unknown> {
    if (data === null || data === undefined) return {}
    if (maxDepth <= 0) return { _truncated: 'MAX_DEPTH_EXCEEDED' }
    return this.#walkObject(data, maxDepth, new Set())
  }

  /**
   * The worker's path: sanitizes an object that was just made by JSON.parse (plain data, no cycles,
   * owned by the caller; numbers read exactly are LosslessNumbers, kept as they are) in place, which spares a copy of every record. The result equals
   * {@link sanitizeObject}'s.
   */
  sanitizeParsed (data: Record<string, unknown>, maxDepth = this.maxDepth): Record<string, unknown> {
    if (maxDepth <= 0) return { _truncated: 'MAX_DEPTH_EXCEEDED' }
    return this.#ownObject(data, maxDepth)
  }

  /**
   * {@link sanitizeParsed} for any parsed value (an array, a string, a number, an object), in place
   * where it is an array or object.
   */
  sanitizeParsedValue (value: unknown, maxDepth = this.maxDepth): unknown {
    return this.#ownValue(value, maxDepth)
  }

  #ownValue (value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string': return this.sanitizeString(value)
      case 'object': break
      default: return value
    }
    if (value === null || isLosslessNumber(value)) return value
    if (depth <= 0) return MAX_DEPTH_EXCEEDED
    if (Array.isArray(value)) {
      const extra = value.length - this.maxArrayLength
      if (extra > 0) value.length = this.maxArrayLength
      for (let i = 0; i < value.length; i++) value[i] = this.#ownValue(value[i], depth - 1)
      if (extra > 0) value.push(`[TRUNCATED ${extra} items]`)
      return value
    }
    return serializedBinary(value) ?? this.#ownObject(value as Record<string, unknown>, depth)
  }

  #ownObject (obj: Record<string, unknown>, depth: number): Record<string, unknown> {
    let kept = 0
    let skipped = 0
    let renamed: Array<[string, unknown]> | undefined
    for (const k of Object.keys(obj)) {
      if (kept >= this.maxObjectKeys) {
        delete obj[k]
        skipped++
        continue
      }
      kept++
      const key = this.#key(k)
      const v = key === null ? REDACTED : this.#ownValue(obj[k], depth - 1)
      const name = key ?? this.sanitizeString(k, MAX_KEY_LENGTH)
      if (name !== k || k === '__proto__') {
        delete obj[k]
        ;(renamed ??= []).push([name, v])
      } else {
        obj[k] = v
      }
    }
    // Added once every key is seen: a renamed key may meet a key of the same name further on.
    if (renamed) for (const [name, v] of renamed) setField(obj, freeKey(obj, name), v)
    if (skipped > 0) obj._truncated_keys = skipped
    return obj
  }

  /** The sanitized form of a key, or null when the key itself marks its value as sensitive. */
  #key (key: string): string | null {
    let out = this.#keyCache.get(key)
    if (out !== undefined) return out
    out = this.isSensitiveKey(key) ? null : this.sanitizeString(key, MAX_KEY_LENGTH)
    if (this.#keyCache.size >= KEY_CACHE_LIMIT) this.#keyCache.clear()
    this.#keyCache.set(key, out)
    return out
  }

  #walk (value: unknown, depth: number, ancestors: Set<object>): unknown {
    switch (typeof value) {
      case 'string': return this.sanitizeString(value)
      case 'number': return Number.isFinite(value) ? value : String(value)
      case 'boolean': return value
      case 'bigint': return value.toString()
      case 'object': break
      default: return undefined
    }
    if (value === null) return null
    if (depth <= 0) return MAX_DEPTH_EXCEEDED
    if (ancestors.has(value)) return CIRCULAR
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
    ancestors.add(value)
    try {
      if (Array.isArray(value)) return this.#walkArray(value, depth, ancestors)
      if (value instanceof Error) return this.#walkObject(errorFields(value), depth, ancestors)
      const binary = serializedBinary(value)
      if (binary !== undefined) return binary
      return this.#walkObject(value as Record<string, unknown>, depth, ancestors)
    } finally {
      ancestors.delete(value)
    }
  }

  #walkArray (value: unknown[], depth: number, ancestors: Set<object>): unknown[] {
    const n = Math.min(value.length, this.maxArrayLength)
    const out: unknown[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const v = this.#walk(value[i], depth - 1, ancestors)
      out[i] = v === undefined ? null : v
    }
    if (value.length > n) out.push(`[TRUNCATED ${value.length - n} items]`)
    return out
  }

  #walkObject (value: Record<string, unknown>, depth: number, ancestors: Set<object>): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    let kept = 0
    let skipped = 0
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue
      if (kept >= this.maxObjectKeys) { skipped++; continue }
      const key = this.#key(k)
      const v = key === null ? REDACTED : this.#walk(value[k], depth - 1, ancestors)
      if (v === undefined) continue
      setField(out, freeKey(out, key ?? this.sanitizeString(k, MAX_KEY_LENGTH)), v)
      kept++
    }
    if (skipped > 0) out._truncated_keys = skipped
    return out
  }
}
