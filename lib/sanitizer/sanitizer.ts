import { isLosslessNumber } from 'lossless-json'
import { mayHoldSecret } from './prefilter.js'
import { SENSITIVE_KEYS, normalizeKey } from './sensitive-keys.js'
import { type CompiledRule, VALUE_PATTERNS, compileRules } from './value-patterns.js'
import { type SanitizerOptions, positiveInt, stringList } from './options.js'
import { cleanString, errorFields, serializedBuffer, setField } from './values.js'

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

const BUILT_IN = compileRules(VALUE_PATTERNS, 'VALUE_PATTERNS')
// One pass that says whether any built-in rule can match, so clean strings cost a single scan.
const BUILT_IN_DETECTOR = new RegExp(VALUE_PATTERNS.map(r => `(?:${r.pattern})`).join('|'), 'i')

/**
 * Redacts secrets and personal data from log values: sensitive keys at any depth, value patterns in
 * every string, and caps on depth, array length, object size and string length.
 */
export class Sanitizer {
  readonly maxDepth: number
  readonly maxArrayLength: number
  readonly maxObjectKeys: number
  readonly maxStringLength: number
  private readonly keyFragments: string[]
  private readonly allowKeys: Set<string>
  private readonly extraRules: CompiledRule[]
  private readonly keyCache = new Map<string, string | null>()
  private readonly valueCache = new Map<string, string>()

  constructor (options: SanitizerOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('curator-log: sanitize options must be an object')
    this.maxDepth = positiveInt('maxDepth', options.maxDepth, 5)
    this.maxArrayLength = positiveInt('maxArrayLength', options.maxArrayLength, 100)
    this.maxObjectKeys = positiveInt('maxObjectKeys', options.maxObjectKeys, 200)
    this.maxStringLength = positiveInt('maxStringLength', options.maxStringLength, 8192)
    this.keyFragments = [...new Set([...SENSITIVE_KEYS, ...stringList('sensitiveKeys', options.sensitiveKeys)].map(normalizeKey))]
    this.allowKeys = new Set(stringList('allowKeys', options.allowKeys).map(normalizeKey))
    if (options.patterns !== undefined && !Array.isArray(options.patterns)) {
      throw new TypeError('curator-log: sanitize.patterns must be an array')
    }
    this.extraRules = compileRules(options.patterns ?? [], 'sanitize.patterns')
  }

  /** Whether a key's value is replaced by `[REDACTED]` wholesale. */
  isSensitiveKey (key: string): boolean {
    const norm = normalizeKey(key)
    if (this.allowKeys.has(norm)) return false
    for (const fragment of this.keyFragments) {
      if (norm.includes(fragment)) return true
    }
    return false
  }

  /**
   * Whether {@link sanitizeString} would return `s.slice(start, end)` unchanged, checked without slicing
   * when no rule can match. The caller guarantees the part holds no NUL and no lone surrogate.
   */
  keepsAsIs (s: string, start = 0, end = s.length, maxLength = this.maxStringLength): boolean {
    if (end - start > maxLength) return false
    if (this.extraRules.length === 0 && (end - start < 6 || !mayHoldSecret(s, start, end))) return true
    const part = s.slice(start, end)
    return this.sanitizeString(part, maxLength) === part
  }

  /** Whether a key stays as it is: not sensitive, and unchanged by the value rules. */
  keepsKey (key: string): boolean {
    return key !== '__proto__' && this.key(key) === key
  }

  /** Cleans, redacts and caps one string. */
  sanitizeString (value: string, maxLength = this.maxStringLength): string {
    // Log values repeat (paths, tenants, messages): short ones are remembered, so most cost a lookup.
    if (value.length <= CACHED_LENGTH && value.length <= maxLength) {
      let out = this.valueCache.get(value)
      if (out === undefined) {
        out = this.redact(value, maxLength)
        if (this.valueCache.size >= VALUE_CACHE_LIMIT) this.valueCache.clear()
        this.valueCache.set(value, out)
      }
      return out
    }
    return this.redact(value, maxLength)
  }

  private redact (value: string, maxLength: number): string {
    let s = cleanString(value)
    const long = s.length > maxLength
    if (long) s = s.slice(0, maxLength + SLACK)
    if (s.length >= 6 && mayHoldSecret(s) && BUILT_IN_DETECTOR.test(s)) {
      for (const rule of BUILT_IN) s = s.replace(rule.re, rule.replacement)
    }
    for (const rule of this.extraRules) s = s.replace(rule.re, rule.replacement)
    if (long || s.length > maxLength) {
      s = (s.slice(0, maxLength) + `…[TRUNCATED ${value.length - maxLength} chars]`).toWellFormed()
    }
    return s
  }

  /** Any value: objects and arrays are copied, never mutated. */
  sanitize (value: unknown, maxDepth = this.maxDepth): unknown {
    return this.walk(value, maxDepth, new Set())
  }

  /** An object's own fields, sanitized, as a new plain object (`{}` for null and undefined). */
  sanitizeObject (data: Record<string, unknown> | null | undefined, maxDepth = this.maxDepth): Record<string, unknown> {
    if (data === null || data === undefined) return {}
    if (maxDepth <= 0) return { _truncated: 'MAX_DEPTH_EXCEEDED' }
    return this.walkObject(data, maxDepth, new Set())
  }

  /**
   * The worker's path: sanitizes an object that was just made by JSON.parse (plain data, no cycles,
   * owned by the caller; numbers read exactly are LosslessNumbers, kept as they are) in place, which spares a copy of every record. The result equals
   * {@link sanitizeObject}'s.
   */
  sanitizeParsed (data: Record<string, unknown>, maxDepth = this.maxDepth): Record<string, unknown> {
    if (maxDepth <= 0) return { _truncated: 'MAX_DEPTH_EXCEEDED' }
    return this.ownObject(data, maxDepth)
  }

  private ownValue (value: unknown, depth: number): unknown {
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
      for (let i = 0; i < value.length; i++) value[i] = this.ownValue(value[i], depth - 1)
      if (extra > 0) value.push(`[TRUNCATED ${extra} items]`)
      return value
    }
    return serializedBuffer(value) ?? this.ownObject(value as Record<string, unknown>, depth)
  }

  private ownObject (obj: Record<string, unknown>, depth: number): Record<string, unknown> {
    let kept = 0
    let skipped = 0
    for (const k of Object.keys(obj)) {
      if (kept >= this.maxObjectKeys) {
        delete obj[k]
        skipped++
        continue
      }
      kept++
      const key = this.key(k)
      const v = key === null ? REDACTED : this.ownValue(obj[k], depth - 1)
      const name = key ?? this.sanitizeString(k, MAX_KEY_LENGTH)
      if (name !== k || k === '__proto__') {
        delete obj[k]
        setField(obj, name, v)
      } else {
        obj[k] = v
      }
    }
    if (skipped > 0) obj._truncated_keys = skipped
    return obj
  }

  /** The sanitized form of a key, or null when the key itself marks its value as sensitive. */
  private key (key: string): string | null {
    let out = this.keyCache.get(key)
    if (out !== undefined) return out
    out = this.isSensitiveKey(key) ? null : this.sanitizeString(key, MAX_KEY_LENGTH)
    if (this.keyCache.size >= KEY_CACHE_LIMIT) this.keyCache.clear()
    this.keyCache.set(key, out)
    return out
  }

  private walk (value: unknown, depth: number, ancestors: Set<object>): unknown {
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
      if (Array.isArray(value)) return this.walkArray(value, depth, ancestors)
      if (value instanceof Error) return this.walkObject(errorFields(value), depth, ancestors)
      const buffer = serializedBuffer(value)
      if (buffer !== undefined) return buffer
      return this.walkObject(value as Record<string, unknown>, depth, ancestors)
    } finally {
      ancestors.delete(value)
    }
  }

  private walkArray (value: unknown[], depth: number, ancestors: Set<object>): unknown[] {
    const n = Math.min(value.length, this.maxArrayLength)
    const out: unknown[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const v = this.walk(value[i], depth - 1, ancestors)
      out[i] = v === undefined ? null : v
    }
    if (value.length > n) out.push(`[TRUNCATED ${value.length - n} items]`)
    return out
  }

  private walkObject (value: Record<string, unknown>, depth: number, ancestors: Set<object>): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    let kept = 0
    let skipped = 0
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue
      if (kept >= this.maxObjectKeys) { skipped++; continue }
      const key = this.key(k)
      const v = key === null ? REDACTED : this.walk(value[k], depth - 1, ancestors)
      if (v === undefined) continue
      setField(out, key ?? this.sanitizeString(k, MAX_KEY_LENGTH), v)
      kept++
    }
    if (skipped > 0) out._truncated_keys = skipped
    return out
  }
}
