import type { Sanitizer } from '../lib/sanitizer/sanitizer.js'

/** What the value just scanned was. */
export const Kind = { String: 0, Number: 1, Bool: 2, Null: 3, Container: 4 } as const
export type ValueKind = typeof Kind[keyof typeof Kind]

const QUOTE = 34
const BACKSLASH = 92

/**
 * Reads JSON text in place for the worker's fast path: finds where each value ends while checking that
 * the sanitizer would leave it as it is (every key and string, nesting, array and object sizes) and that
 * JSON.parse and JSON.stringify would give the same text back (numbers in their canonical spelling).
 * Every method answers -1 (or false) for anything else, and the caller takes the full path.
 */
export class CleanJsonScanner {
  /** The kind of the value whose end was returned last. */
  kind: ValueKind = Kind.Null
  /** Whether the string whose end was returned last holds a backslash escape. */
  escaped = false
  #s = ''
  #nextBackslash = Infinity
  readonly #sanitizer: Sanitizer

  constructor (sanitizer: Sanitizer) {
    this.#sanitizer = sanitizer
  }

  /** Starts on a line; says whether it holds any backslash. */
  start (s: string): boolean {
    this.#s = s
    const at = s.indexOf('\\')
    this.#nextBackslash = at < 0 ? Infinity : at
    return at >= 0
  }

  /** End of the string whose opening quote is at i (index after the closing quote), or -1. */
  stringEnd (i: number): number {
    const s = this.#s
    let j = i + 1
    this.escaped = false
    for (;;) {
      const q = s.indexOf('"', j)
      if (q < 0) return -1
      let b = q - 1
      while (s.charCodeAt(b) === BACKSLASH) b--
      if (((q - 1 - b) & 1) === 0) {
        if (this.#nextBackslash !== Infinity && this.#nextBackslash <= i) {
          const next = s.indexOf('\\', i + 1)
          this.#nextBackslash = next < 0 ? Infinity : next
        }
        this.escaped = this.#nextBackslash < q
        return q + 1
      }
      j = q + 1
    }
  }

  /** The decoded text of the string token [i, end) just scanned, or undefined when JSON refuses it. */
  decode (i: number, end: number): string | undefined {
    if (!this.escaped) return this.#s.slice(i + 1, end - 1)
    try {
      return JSON.parse(this.#s.slice(i, end)) as string
    } catch {
      return undefined
    }
  }

  /** Whether [i, end) — a string token just scanned, or a number or literal — stays as it is through the sanitizer. */
  keeps (i: number, end: number, max: number, quoted = true): boolean {
    if (!quoted) return this.#sanitizer.keepsAsIs(this.#s, i, end, max)
    if (!this.escaped) return this.#sanitizer.keepsAsIs(this.#s, i + 1, end - 1, max)
    const text = this.decode(i, end)
    return text !== undefined && this.#sanitizer.keepsAsIs(text, 0, text.length, max)
  }

  /** End of the value at i, sanitizer-clean and within the caps at nesting `level`, or -1. */
  valueEnd (i: number, level: number): number {
    const s = this.#s
    const c = s.charCodeAt(i)
    if (c === QUOTE) {
      const end = this.stringEnd(i)
      if (end < 0 || !this.keeps(i, end, this.#sanitizer.maxStringLength)) return -1
      // pino writes a Buffer as { type: 'Buffer', data: [...] }, which the sanitizer shortens.
      if (end - i === 8 && s.startsWith('"Buffer"', i)) return -1
      this.kind = Kind.String
      return end
    }
    if (c === 123 || c === 91) return this.#containerEnd(i, level, c === 123)
    if (c === 116 && s.startsWith('true', i)) return this.#literal(Kind.Bool, i + 4)
    if (c === 102 && s.startsWith('false', i)) return this.#literal(Kind.Bool, i + 5)
    if (c === 110 && s.startsWith('null', i)) return this.#literal(Kind.Null, i + 4)
    return this.#numberEnd(i)
  }

  #literal (kind: ValueKind, end: number): number {
    this.kind = kind
    return end
  }

  /** End of a number at i, or -1 unless it is JSON and in the spelling JSON.stringify gives it. */
  #numberEnd (i: number): number {
    const s = this.#s
    let j = i
    if (s.charCodeAt(j) === 45) j++
    const first = j
    while (isDigit(s.charCodeAt(j))) j++
    if (j === first || (s.charCodeAt(first) === 48 && j > first + 1)) return -1
    let plain = j - i <= 15
    if (s.charCodeAt(j) === 46) {
      const frac = ++j
      while (isDigit(s.charCodeAt(j))) j++
      if (j === frac) return -1
      plain = false
    }
    const e = s.charCodeAt(j)
    if (e === 101 || e === 69) {
      j++
      const sign = s.charCodeAt(j)
      if (sign === 43 || sign === 45) j++
      const exp = j
      while (isDigit(s.charCodeAt(j))) j++
      if (j === exp) return -1
      plain = false
    }
    if (plain ? (s.charCodeAt(i) === 45 && s.charCodeAt(first) === 48) : String(Number(s.slice(i, j))) !== s.slice(i, j)) return -1
    this.kind = Kind.Number
    return j
  }

  #containerEnd (i: number, level: number, object: boolean): number {
    if (level >= this.#sanitizer.maxDepth) return -1
    const s = this.#s
    const close = object ? 125 : 93
    const max = object ? this.#sanitizer.maxObjectKeys : this.#sanitizer.maxArrayLength
    let j = i + 1
    let count = 0
    if (s.charCodeAt(j) === close) return this.#literal(Kind.Container, j + 1)
    for (;;) {
      if (object) {
        if (s.charCodeAt(j) !== QUOTE) return -1
        const keyEnd = this.stringEnd(j)
        if (keyEnd < 0 || this.escaped || s.charCodeAt(keyEnd) !== 58 || !this.#sanitizer.keepsKey(s.slice(j + 1, keyEnd - 1))) return -1
        j = keyEnd + 1
      }
      j = this.valueEnd(j, level + 1)
      if (j < 0 || ++count > max) return -1
      const c = s.charCodeAt(j)
      if (c === close) return this.#literal(Kind.Container, j + 1)
      if (c !== 44) return -1
      j++
    }
  }
}

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}
