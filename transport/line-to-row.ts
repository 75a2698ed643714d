import { CleanJsonScanner, Kind } from './clean-json-scanner.js'
import { COLUMN_SPECS, CONTEXT_INDEX, type ColumnSource, LEVEL_INDEX, TIMESTAMP_INDEX, columnOf } from '../lib/core/columns.js'
import { escapeField, NULL_FIELD } from './copy-text.js'
import { isoTime } from './iso-time.js'
import { HTTP_SHAPE_KEYS } from './http-shapes.js'
import { type RowMapperOptions, isInt32, toEpochMs } from './record-to-row.js'
import { isSpanId, isTraceId, traceFlags } from '../lib/core/trace-ids.js'

/** A COPY line and the numeric level that decides what is dropped first under pressure. */
export interface EncodedLine {
  copyLine: string
  level: number
}

// The reader of each column's source (see ColumnSource), as numbers for the switch below. Other: a
// column this path never fills (the error columns: lines with an error take the full path).
const Read = { Other: 0, Time: 1, Level: 2, Message: 3, String: 4, Text: 5, Int32: 6, Number: 7, TraceId: 8, SpanId: 9, TraceFlags: 10 } as const
type ReadKind = typeof Read[keyof typeof Read]
const READS: Partial<Record<ColumnSource, ReadKind>> = { time: Read.Time, level: Read.Level, message: Read.Message, string: Read.String, text: Read.Text, int32: Read.Int32, number: Read.Number, 'trace-id': Read.TraceId, 'span-id': Read.SpanId, 'trace-flags': Read.TraceFlags }
// A key's slot: its column's index + 1 when this path fills that column; FULL_PATH when only the full
// path maps it (a column's other keys, the error, request shapes, nestedKey). A key with no column
// goes into context when the sanitizer leaves it as it is, or takes the full path.
const FULL_PATH = -2
const CONTEXT = 0
const CHANGED = -1
// Keys seen in context are remembered, as the sanitizer's own caches are.
const KEY_CACHE_LIMIT = 10_000

// Raw control characters (JSON.parse refuses them in strings) and \u escapes (NUL, lone surrogates,
// letters written the long way) are left to JSON.parse and the full mapper. Two searches: one
// regular expression with both alternatives costs half as much again.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f]/
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
  const { sanitizer, levels, messageKey, errorKey, maxMessageLength, timeKey = 'time', timeScale = 1, nestedKey } = opts
  // Slot by key, and by slot the reader and cap of the column it fills. A column's first key feeds it
  // here; its other keys and ECS forms (the trace ids' camelCase and ECS) take the full path.
  const slots = new Map<string, number>()
  const reads: ReadKind[] = [Read.Other]
  const caps: number[] = [0]
  let clash = false
  const put = (key: string, slot: number): void => {
    clash ||= slots.has(key)
    slots.set(key, slot)
  }
  const errorKeys = new Set<string>()
  COLUMN_SPECS.forEach((c, i) => {
    const slot = i + 1
    reads[slot] = READS[c.source] ?? Read.Other
    caps[slot] = c.cap === 'maxMessageLength' ? maxMessageLength : c.cap ?? Infinity
    if (c.source === 'time') put(timeKey, slot)
    else if (c.source === 'error-type' || c.source === 'error-message' || c.source === 'error-stack') {
      // The first is errorKey's default: errorKey is set below.
      for (const key of c.keys.slice(1)) errorKeys.add(key)
    } else if (c.source !== 'message' && c.source !== 'context') {
      c.keys.forEach((key, n) => put(key, n === 0 ? slot : FULL_PATH))
      if (c.ecs !== undefined) for (const key of [c.ecs, c.ecs + '.id']) put(key, FULL_PATH)
    }
  })
  for (const key of errorKeys) put(key, FULL_PATH)
  // A message or error key that is also a column name keeps the full path's precedence rules to itself.
  if (clash || slots.has(messageKey) || (slots.has(errorKey) && !errorKeys.has(errorKey))) return () => undefined
  // pino's nestedKey holds the call's fields, which the full path reads as top-level ones, and
  // Fastify's and pino-http's request fields fill columns: both are left to the full path.
  if (nestedKey !== undefined) slots.set(nestedKey, FULL_PATH)
  for (const key of HTTP_SHAPE_KEYS) slots.set(key, FULL_PATH)
  slots.set(messageKey, columnOf('message').index + 1)
  slots.set(errorKey, FULL_PATH)
  const columns = slots.size
  const maxKeys = sanitizer.maxObjectKeys
  /** The key's slot, or CONTEXT, or CHANGED: one lookup per member. */
  const slotOf = (key: string): number => {
    let slot = slots.get(key)
    if (slot === undefined) {
      if (slots.size >= columns + KEY_CACHE_LIMIT) {
        for (const k of [...slots.keys()].slice(columns)) slots.delete(k)
      }
      slot = sanitizer.keepsKey(key) ? CONTEXT : CHANGED
      slots.set(key, slot)
    }
    return slot
  }
  // The row a line starts from: NULL but for the message, which is never NULL.
  const empty: string[] = COLUMN_SPECS.map(c => c.source === 'message' ? '' : NULL_FIELD)
  // By slot, the line (its number, `stamp`) that filled the column, or whose invalid trace value went
  // to context: a repeated column key (JSON.parse keeps the last) is left to the full path.
  const seenAt = new Int32Array(reads.length)
  const inContextAt = new Int32Array(reads.length)
  let stamp = 0

  const scan = new CleanJsonScanner(sanitizer)
  /** The string token [at, end) just scanned, decoded and escaped for COPY. */
  const field = (at: number, end: number): string => escapeField(scan.decode(at, end) as string)

  return function encodeLine (s, now) {
    if (s.charCodeAt(0) !== 123 || CONTROL.test(s) || s.includes('\\u') || !s.isWellFormed()) return undefined
    const hasBackslash = scan.start(s)
    if (++stamp === 0x40000000) {
      seenAt.fill(0)
      inContextAt.fill(0)
      stamp = 1
    }
    const row = empty.slice()
    let time: number | undefined
    let level = 'info'
    let context = ''
    let contextKeys = 0
    // Members read so far, and whether the first was pino's level (see pinoHead): then fields named
    // level or time later in the line are the app's and go to context, as parseLine has it.
    let index = 0
    let ownsLevel = false
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
        let slot = slotOf(key)
        if (slot < CONTEXT) return undefined
        const read = reads[slot]
        if (read === Read.Level || read === Read.Time) {
          if (index === 0 && read === Read.Level) ownsLevel = scan.kind === Kind.Number || scan.kind === Kind.String
          else if (ownsLevel && !(index === 1 && read === Read.Time)) slot = CONTEXT
        }
        index++
        let column = false
        if (slot !== CONTEXT) {
          // A trace id may repeat valid (the context's, then the child span's a line was written in).
          const repeated = seenAt[slot] === stamp
          if (repeated && (read < Read.TraceId || inContextAt[slot] === stamp)) return undefined
          seenAt[slot] = stamp
          column = true
          const cap = caps[slot]
          const col = slot - 1
          switch (read) {
            case Read.Time:
              time = toEpochMs(scan.kind === Kind.Number ? Number(s.slice(at, j)) : scan.kind === Kind.String ? scan.decode(at, j) : undefined, timeScale)
              if (time === undefined) return undefined
              break
            case Read.Level:
              if (scan.kind === Kind.Number) level = levels.name(Number(s.slice(at, j)))
              else if (scan.kind === Kind.String && j - at > 2) level = levels.name(scan.decode(at, j))
              else return undefined
              break
            case Read.Message:
            case Read.Text:
              if (scan.kind === Kind.String) {
                if (j - at - 2 > cap) return undefined
                row[col] = field(at, j)
              } else if (scan.kind === Kind.Number || scan.kind === Kind.Bool) {
                if (!scan.keeps(at, j, cap, false)) return undefined
                row[col] = s.slice(at, j)
              } else column = false
              break
            case Read.String:
              if (scan.kind === Kind.String) {
                if (j - at - 2 > cap) return undefined
                row[col] = field(at, j)
              } else column = false
              break
            case Read.Int32:
            case Read.Number: {
              const n = scan.kind === Kind.Number ? Number(s.slice(at, j)) : NaN
              if (read === Read.Number ? Number.isFinite(n) : isInt32(n)) row[col] = s.slice(at, j)
              else column = false
              break
            }
            case Read.TraceId:
            case Read.SpanId:
            case Read.TraceFlags: {
              // A valid id is plain hex: no escape to undo. An invalid one goes into context as the full path leaves it.
              const v = scan.kind === Kind.String ? s.slice(at + 1, j - 1) : scan.kind === Kind.Number ? Number(s.slice(at, j)) : undefined
              if (read === Read.TraceId && isTraceId(v)) row[col] = v
              else if (read === Read.SpanId && isSpanId(v)) row[col] = v
              else if (read === Read.TraceFlags && traceFlags(v) !== undefined) row[col] = String(traceFlags(v))
              else if (repeated) return undefined
              else {
                inContextAt[slot] = stamp
                column = false
              }
              break
            }
            default:
              return undefined
          }
        }
        if (!column) {
          // A column key whose value has no column goes into context: the sanitizer has its say on it too.
          if ((slot !== CONTEXT && !sanitizer.keepsKey(key)) || ++contextKeys > maxKeys) return undefined
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
    row[TIMESTAMP_INDEX] = isoTime(timestamp)
    row[LEVEL_INDEX] = escapeField(level)
    row[CONTEXT_INDEX] = hasBackslash ? escapeField(json) : json
    // One joined (flat) string: a row waits in the queue, and a tree of pieces that still points
    // into the line would keep all of it alive and give the collector far more to trace.
    return { copyLine: row.join('\t'), level: levels.value(level) ?? 30 }
  }
}
