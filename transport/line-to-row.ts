import { CleanJsonScanner, Kind } from './clean-json-scanner.js'
import { COLUMNS } from '../lib/core/columns.js'
import { escapeField, NULL_FIELD } from './copy-text.js'
import { isoTime } from './iso-time.js'
import { HTTP_SHAPE_KEYS } from './http-shapes.js'
import { MAX_INDEXED_TEXT, type RowMapperOptions, TEXT_COLUMNS, isInt32, toEpochMs } from './record-to-row.js'
import { TRACE_ALIASES } from './trace-columns.js'
import { isSpanId, isTraceId, traceFlags } from '../lib/core/trace-ids.js'

/** A COPY line and the numeric level that decides what is dropped first under pressure. */
export interface EncodedLine {
  row: string
  level: number
}

// What a top-level key of the record is for. Text columns take the slots from Text on, in TEXT order.
// FullPath: keys whose rules only the full mapper applies (the trace ids' camelCase and ECS forms).
const enum Slot { Time = 1, Level, Message, Logger, Hostname, Pid, Status, Duration, Error, TraceId, SpanId, TraceFlags, FullPath, Text }
// In COPY order, so that the row below can write them as they stand.
const TEXT: string[] = COLUMNS.filter(c => TEXT_COLUMNS.has(c))
// A key with no column goes into context when the sanitizer leaves it as it is, or takes the full path.
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
  const slots = new Map<string, number>([
    [timeKey, Slot.Time], ['level', Slot.Level], ['name', Slot.Logger], ['hostname', Slot.Hostname], ['pid', Slot.Pid],
    ['status_code', Slot.Status], ['duration_ms', Slot.Duration], ['error', Slot.Error],
    ['trace_id', Slot.TraceId], ['span_id', Slot.SpanId], ['trace_flags', Slot.TraceFlags]
  ])
  for (const key of TRACE_ALIASES) slots.set(key, Slot.FullPath)
  TEXT.forEach((key, n) => slots.set(key, Slot.Text + n))
  // A message or error key that is also a column name keeps the full path's precedence rules to itself.
  if (slots.has(messageKey) || (slots.has(errorKey) && errorKey !== 'error') || slots.size !== 11 + TRACE_ALIASES.length + TEXT.length) return () => undefined
  // pino's nestedKey holds the call's fields, which the full path reads as top-level ones, and
  // Fastify's and pino-http's request fields fill columns: both are left to the full path.
  if (nestedKey !== undefined) slots.set(nestedKey, Slot.Error)
  for (const key of HTTP_SHAPE_KEYS) slots.set(key, Slot.Error)
  slots.set(messageKey, Slot.Message)
  slots.set(errorKey, Slot.Error)
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

  const scan = new CleanJsonScanner(sanitizer)
  /** The string token [at, end) just scanned, decoded and escaped for COPY. */
  const field = (at: number, end: number): string => escapeField(scan.decode(at, end) as string)

  return function encodeLine (s, now) {
    if (s.charCodeAt(0) !== 123 || CONTROL.test(s) || s.includes('\\u') || !s.isWellFormed()) return undefined
    const hasBackslash = scan.start(s)
    let time: number | undefined
    let level = 'info'
    let logger = NULL_FIELD
    let message = ''
    let hostname = NULL_FIELD
    let pid = NULL_FIELD
    let status = NULL_FIELD
    let duration = NULL_FIELD
    let traceId = NULL_FIELD
    let spanId = NULL_FIELD
    let flags = NULL_FIELD
    let traceInContext = 0
    const text = [NULL_FIELD, NULL_FIELD, NULL_FIELD, NULL_FIELD, NULL_FIELD, NULL_FIELD]
    let context = ''
    let contextKeys = 0
    let seen = 0
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
        if (slot === CHANGED) return undefined
        if (slot === Slot.Level || slot === Slot.Time) {
          if (index === 0 && slot === Slot.Level) ownsLevel = scan.kind === Kind.Number || scan.kind === Kind.String
          else if (ownsLevel && !(index === 1 && slot === Slot.Time)) slot = CONTEXT
        }
        index++
        let column = false
        if (slot !== CONTEXT) {
          // A repeated column key (JSON.parse keeps the last) is left to the full path, but for a
          // trace id repeated valid (the context's, then the child span's a line was written in).
          const bit = 1 << slot
          const repeated = (seen & bit) !== 0
          if (repeated && (slot < Slot.TraceId || slot > Slot.TraceFlags || (traceInContext & bit) !== 0)) return undefined
          seen |= bit
          column = true
          switch (slot < Slot.Text ? slot : Slot.Text) {
            case Slot.Time:
              time = toEpochMs(scan.kind === Kind.Number ? Number(s.slice(at, j)) : scan.kind === Kind.String ? scan.decode(at, j) : undefined, timeScale)
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
            case Slot.TraceId:
            case Slot.SpanId:
            case Slot.TraceFlags: {
              // A valid id is plain hex: no escape to undo. An invalid one goes into context as the full path leaves it.
              const v = scan.kind === Kind.String ? s.slice(at + 1, j - 1) : scan.kind === Kind.Number ? Number(s.slice(at, j)) : undefined
              if (slot === Slot.TraceId && isTraceId(v)) traceId = v
              else if (slot === Slot.SpanId && isSpanId(v)) spanId = v
              else if (slot === Slot.TraceFlags && traceFlags(v) !== undefined) flags = String(traceFlags(v))
              else if (repeated) return undefined
              else {
                traceInContext |= bit
                column = false
              }
              break
            }
            case Slot.Text:
              if (scan.kind === Kind.String || scan.kind === Kind.Number || scan.kind === Kind.Bool) {
                if (j - at - 2 > MAX_INDEXED_TEXT || (scan.kind !== Kind.String && !scan.keeps(at, j, MAX_INDEXED_TEXT, false))) return undefined
                text[slot - Slot.Text] = scan.kind === Kind.String ? field(at, j) : s.slice(at, j)
              } else column = false
              break
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
    // One joined (flat) string: a row waits in the queue, and a tree of pieces that still points
    // into the line would keep all of it alive and give the collector far more to trace.
    const row = [
      isoTime(timestamp), escapeField(level), logger, message, hasBackslash ? escapeField(json) : json,
      text[0], text[1], text[2], text[3], text[4], text[5], status, duration, NULL_FIELD, NULL_FIELD, NULL_FIELD, hostname, pid, traceId, spanId, flags
    ].join('\t')
    return { row, level: levels.value(level) ?? 30 }
  }
}
