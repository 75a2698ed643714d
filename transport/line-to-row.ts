import { escapeField, NULL_FIELD } from './copy-text.js'
import { MAX_INDEXED_TEXT, type RowMapperOptions, TEXT_COLUMNS } from './record-to-row.js'

/** A COPY line and the numeric level that decides what is dropped first under pressure. */
export interface EncodedLine {
  row: string
  level: number
}

// What a top-level key of the record is for; anything else goes into context.
const enum Slot { Time = 1, Level, Message, Logger, Hostname, Pid, Status, Duration, Text, Error }

const enum Kind { String, Number, Bool, Null, Container }

// Raw control characters (JSON.parse refuses them in strings) and \u escapes (NUL, lone surrogates,
// letters written the long way) are left to JSON.parse and the full mapper.
// eslint-disable-next-line no-control-regex
const NEEDS_FULL_PATH = /[\x00-\x1f]|\\u/
const QUOTE = 34
const BACKSLASH = 92

/**
 * Builds the worker's fast path: it reads a pino line as JSON text and writes the COPY line without
 * building the record, copying the members that have no column into context verbatim. It returns
 * undefined for any line it cannot prove it maps exactly as {@link createRowMapper} would (a string or
 * key the sanitizer would change, nesting or sizes over the caps, an error, a time outside the
 * partitions, escapes, numbers not in JavaScript's own spelling, anything malformed): those lines take
 * the full path. A property test holds the two paths equal.
 */
export function createLineEncoder (opts: RowMapperOptions): (line: string, now: number) => EncodedLine | undefined {
  const { sanitizer, levels, messageKey, errorKey, maxMessageLength } = opts
  const slots = new Map<string, Slot>([
    ['time', Slot.Time], ['level', Slot.Level], ['name', Slot.Logger], ['hostname', Slot.Hostname], ['pid', Slot.Pid],
    ['status_code', Slot.Status], ['duration_ms', Slot.Duration], ['error', Slot.Error]
  ])
  for (const key of TEXT_COLUMNS) slots.set(key, Slot.Text)
  // A message or error key that is also a column name keeps the full path's precedence rules to itself.
  if (slots.has(messageKey) || (slots.has(errorKey) && errorKey !== 'error')) return () => undefined
  slots.set(messageKey, Slot.Message)
  slots.set(errorKey, Slot.Error)
  // One bit per special key: a repeated one (JSON.parse keeps the last) is left to the full path.
  const bits = new Map([...slots.keys()].map((key, n) => [key, 1 << n]))
  const maxDepth = sanitizer.maxDepth
  const maxArray = sanitizer.maxArrayLength
  const maxKeys = sanitizer.maxObjectKeys

  // Scanner state for the line being read: the value just scanned and whether the line has a backslash.
  let kind = Kind.Null
  let escaped = false
  let nextBackslash = -1

  /** End of the string whose opening quote is at i (index after the closing quote), or -1. */
  function stringEnd (s: string, i: number): number {
    let j = i + 1
    escaped = false
    for (;;) {
      const q = s.indexOf('"', j)
      if (q < 0) return -1
      let b = q - 1
      while (s.charCodeAt(b) === BACKSLASH) b--
      if (((q - 1 - b) & 1) === 0) {
        if (nextBackslash !== Infinity && nextBackslash <= i) {
          nextBackslash = s.indexOf('\\', i + 1)
          if (nextBackslash < 0) nextBackslash = Infinity
        }
        escaped = nextBackslash < q
        return q + 1
      }
      j = q + 1
    }
  }

  /** The decoded text of a string token [i, end), or undefined when JSON refuses it. */
  function decode (s: string, i: number, end: number): string | undefined {
    if (!escaped) return s.slice(i + 1, end - 1)
    try {
      return JSON.parse(s.slice(i, end)) as string
    } catch {
      return undefined
    }
  }

  /** Whether a string token stays as it is through the sanitizer. */
  function keeps (s: string, i: number, end: number, max: number): boolean {
    if (!escaped) return sanitizer.keepsAsIs(s, i + 1, end - 1, max)
    const text = decode(s, i, end)
    return text !== undefined && sanitizer.keepsAsIs(text, 0, text.length, max)
  }

  /** End of a number at i, or -1 unless it is JSON and in the spelling JSON.stringify gives it. */
  function numberEnd (s: string, i: number): number {
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
    kind = Kind.Number
    return j
  }

  /** End of the value at i, sanitizer-clean and within the caps at nesting `level`, or -1. */
  function valueEnd (s: string, i: number, level: number): number {
    const c = s.charCodeAt(i)
    if (c === QUOTE) {
      const end = stringEnd(s, i)
      if (end < 0 || !keeps(s, i, end, sanitizer.maxStringLength)) return -1
      // pino writes a Buffer as { type: 'Buffer', data: [...] }, which the sanitizer shortens.
      if (end - i === 8 && s.startsWith('"Buffer"', i)) return -1
      kind = Kind.String
      return end
    }
    if (c === 123 || c === 91) return containerEnd(s, i, level, c === 123)
    if (c === 116 && s.startsWith('true', i)) { kind = Kind.Bool; return i + 4 }
    if (c === 102 && s.startsWith('false', i)) { kind = Kind.Bool; return i + 5 }
    if (c === 110 && s.startsWith('null', i)) { kind = Kind.Null; return i + 4 }
    return numberEnd(s, i)
  }

  function containerEnd (s: string, i: number, level: number, object: boolean): number {
    if (level >= maxDepth) return -1
    const close = object ? 125 : 93
    let j = i + 1
    let count = 0
    if (s.charCodeAt(j) === close) { kind = Kind.Container; return j + 1 }
    for (;;) {
      if (object) {
        if (s.charCodeAt(j) !== QUOTE) return -1
        const keyEnd = stringEnd(s, j)
        if (keyEnd < 0 || escaped || s.charCodeAt(keyEnd) !== 58 || !sanitizer.keepsKey(s.slice(j + 1, keyEnd - 1))) return -1
        j = keyEnd + 1
      }
      j = valueEnd(s, j, level + 1)
      if (j < 0 || ++count > (object ? maxKeys : maxArray)) return -1
      const c = s.charCodeAt(j)
      if (c === close) { kind = Kind.Container; return j + 1 }
      if (c !== 44) return -1
      j++
    }
  }

  return function encodeLine (s, now) {
    if (s.charCodeAt(0) !== 123 || NEEDS_FULL_PATH.test(s) || !s.isWellFormed()) return undefined
    nextBackslash = s.indexOf('\\')
    const hasBackslash = nextBackslash >= 0
    if (!hasBackslash) nextBackslash = Infinity
    let time: number | undefined
    let level = 'info'
    let logger = NULL_FIELD
    let message = ''
    let hostname = NULL_FIELD
    let pid = NULL_FIELD
    let status = NULL_FIELD
    let duration = NULL_FIELD
    const text: Record<string, string> = {}
    let context = ''
    let contextKeys = 0
    let seen = 0
    let j = 1
    if (s.charCodeAt(j) !== 125) {
      for (;;) {
        if (s.charCodeAt(j) !== QUOTE) return undefined
        const member = j
        const keyEnd = stringEnd(s, j)
        if (keyEnd < 0 || escaped || s.charCodeAt(keyEnd) !== 58) return undefined
        const key = s.slice(j + 1, keyEnd - 1)
        const at = keyEnd + 1
        j = valueEnd(s, at, 1)
        if (j < 0) return undefined
        const slot = slots.get(key)
        let column = false
        if (slot !== undefined) {
          const bit = bits.get(key) as number
          if ((seen & bit) !== 0) return undefined
          seen |= bit
          column = true
          switch (slot) {
            case Slot.Time:
              if (kind === Kind.Number) time = Number(s.slice(at, j))
              else if (kind === Kind.String) time = Date.parse(decode(s, at, j) as string)
              else return undefined
              break
            case Slot.Level:
              if (kind === Kind.Number) level = levels.name(Number(s.slice(at, j)))
              else if (kind === Kind.String && j - at > 2) level = levels.name(decode(s, at, j))
              else return undefined
              break
            case Slot.Message:
              if (kind === Kind.String) {
                if (j - at - 2 > maxMessageLength) return undefined
                message = escaped ? escapeField(decode(s, at, j) as string) : s.slice(at + 1, j - 1)
              } else if (kind === Kind.Number || kind === Kind.Bool) {
                if (!sanitizer.keepsAsIs(s, at, j, maxMessageLength)) return undefined
                message = s.slice(at, j)
              } else column = false
              break
            case Slot.Logger:
            case Slot.Hostname:
              if (kind === Kind.String) {
                if (j - at - 2 > MAX_INDEXED_TEXT) return undefined
                const v = escaped ? escapeField(decode(s, at, j) as string) : s.slice(at + 1, j - 1)
                if (slot === Slot.Logger) logger = v
                else hostname = v
              } else column = false
              break
            case Slot.Pid:
            case Slot.Status:
            case Slot.Duration: {
              const n = kind === Kind.Number ? Number(s.slice(at, j)) : NaN
              if (slot === Slot.Duration ? Number.isFinite(n) : isInt32(n)) {
                const v = s.slice(at, j)
                if (slot === Slot.Pid) pid = v
                else if (slot === Slot.Status) status = v
                else duration = v
              } else column = false
              break
            }
            case Slot.Text:
              if (kind === Kind.String || kind === Kind.Number || kind === Kind.Bool) {
                if (j - at - 2 > MAX_INDEXED_TEXT || (kind !== Kind.String && !sanitizer.keepsAsIs(s, at, j, MAX_INDEXED_TEXT))) return undefined
                text[key] = kind !== Kind.String ? s.slice(at, j) : escaped ? escapeField(decode(s, at, j) as string) : s.slice(at + 1, j - 1)
              } else column = false
              break
            default:
              return undefined
          }
        }
        if (!column) {
          if (!sanitizer.keepsKey(key) || ++contextKeys > maxKeys) return undefined
          context = context === '' ? s.slice(member, j) : context + ',' + s.slice(member, j)
        }
        const c = s.charCodeAt(j)
        if (c === 125) break
        if (c !== 44) return undefined
        j++
      }
    }
    if (j + 1 !== s.length) return undefined

    let timestamp = now
    if (time !== undefined) {
      const window = opts.window()
      if (!(Math.abs(time) <= 8.64e15 && time >= window.from && time < window.to)) return undefined
      timestamp = time
    }
    const json = '{' + context + '}'
    // One joined (flat) string: a row waits in the queue, and a tree of pieces that still points
    // into the line would keep all of it alive and give the collector far more to trace.
    const row = [
      new Date(timestamp).toISOString(), escapeField(level), logger, message, hasBackslash ? json.replaceAll('\\', '\\\\') : json,
      text.request_id ?? NULL_FIELD, text.user_id ?? NULL_FIELD, text.ip_address ?? NULL_FIELD, text.user_agent ?? NULL_FIELD,
      text.path ?? NULL_FIELD, text.method ?? NULL_FIELD, status, duration, NULL_FIELD, NULL_FIELD, NULL_FIELD, hostname, pid
    ].join('\t')
    return { row, level: levels.value(level) ?? 30 }
  }
}

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function isInt32 (v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647
}
