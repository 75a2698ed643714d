import { CleanJsonScanner, Kind } from './clean-json-scanner.js'
import { escapeField, NULL_FIELD } from './copy-text.js'
import { MAX_INDEXED_TEXT, type RowMapperOptions, TEXT_COLUMNS, isInt32, toEpochMs } from './record-to-row.js'

/** A COPY line and the numeric level that decides what is dropped first under pressure. */
export interface EncodedLine {
  row: string
  level: number
}

// What a top-level key of the record is for; anything else goes into context.
const enum Slot { Time = 1, Level, Message, Logger, Hostname, Pid, Status, Duration, Text, Error }

// Raw control characters (JSON.parse refuses them in strings) and \u escapes (NUL, lone surrogates,
// letters written the long way) are left to JSON.parse and the full mapper.
// eslint-disable-next-line no-control-regex
const NEEDS_FULL_PATH = /[\x00-\x1f]|\\u/
const QUOTE = 34

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
  const maxKeys = sanitizer.maxObjectKeys

  const scan = new CleanJsonScanner(sanitizer)
  /** The string token [at, end) just scanned, decoded and escaped for COPY. */
  const field = (at: number, end: number): string => escapeField(scan.decode(at, end) as string)

  return function encodeLine (s, now) {
    if (s.charCodeAt(0) !== 123 || NEEDS_FULL_PATH.test(s) || !s.isWellFormed()) return undefined
    const hasBackslash = scan.start(s)
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
        const keyEnd = scan.stringEnd(j)
        if (keyEnd < 0 || scan.escaped || s.charCodeAt(keyEnd) !== 58) return undefined
        const key = s.slice(j + 1, keyEnd - 1)
        const at = keyEnd + 1
        j = scan.valueEnd(at, 1)
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
              time = toEpochMs(scan.kind === Kind.Number ? Number(s.slice(at, j)) : scan.kind === Kind.String ? scan.decode(at, j) : undefined)
              if (time === undefined) return undefined
              break
            case Slot.Level:
              if (scan.kind === Kind.Number) level = levels.name(Number(s.slice(at, j)))
              else if (scan.kind === Kind.String && j - at > 2) level = levels.name(scan.decode(at, j))
              else return undefined
              break
            case Slot.Message:
              if (scan.kind === Kind.String) {
                if (j - at - 2 > maxMessageLength) return undefined
                message = field(at, j)
              } else if (scan.kind === Kind.Number || scan.kind === Kind.Bool) {
                if (!scan.keeps(at, j, maxMessageLength, false)) return undefined
                message = s.slice(at, j)
              } else column = false
              break
            case Slot.Logger:
            case Slot.Hostname:
              if (scan.kind === Kind.String) {
                if (j - at - 2 > MAX_INDEXED_TEXT) return undefined
                if (slot === Slot.Logger) logger = field(at, j)
                else hostname = field(at, j)
              } else column = false
              break
            case Slot.Pid:
            case Slot.Status:
            case Slot.Duration: {
              const n = scan.kind === Kind.Number ? Number(s.slice(at, j)) : NaN
              if (slot === Slot.Duration ? Number.isFinite(n) : isInt32(n)) {
                const v = s.slice(at, j)
                if (slot === Slot.Pid) pid = v
                else if (slot === Slot.Status) status = v
                else duration = v
              } else column = false
              break
            }
            case Slot.Text:
              if (scan.kind === Kind.String || scan.kind === Kind.Number || scan.kind === Kind.Bool) {
                if (j - at - 2 > MAX_INDEXED_TEXT || (scan.kind !== Kind.String && !scan.keeps(at, j, MAX_INDEXED_TEXT, false))) return undefined
                text[key] = scan.kind === Kind.String ? field(at, j) : s.slice(at, j)
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
      if (time < window.from || time >= window.to) return undefined
      timestamp = time
    }
    const json = '{' + context + '}'
    // One joined (flat) string: a row waits in the queue, and a tree of pieces that still points
    // into the line would keep all of it alive and give the collector far more to trace.
    const row = [
      new Date(timestamp).toISOString(), escapeField(level), logger, message, hasBackslash ? escapeField(json) : json,
      text.request_id ?? NULL_FIELD, text.user_id ?? NULL_FIELD, text.ip_address ?? NULL_FIELD, text.user_agent ?? NULL_FIELD,
      text.path ?? NULL_FIELD, text.method ?? NULL_FIELD, status, duration, NULL_FIELD, NULL_FIELD, NULL_FIELD, hostname, pid
    ].join('\t')
    return { row, level: levels.value(level) ?? 30 }
  }
}
