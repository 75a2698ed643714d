import { type Sanitizer, setField } from '../lib/sanitizer/sanitizer.js'
import { freeKey } from '../lib/sanitizer/values.js'
import { COLUMN_SPECS, type ColumnSpec, columnOf } from '../lib/core/columns.js'
import type { LevelNames } from '../lib/core/levels.js'
import { isoTime } from './iso-time.js'
import { withHttpColumns } from './http-shapes.js'
import { isLosslessNumber, numberText, numberValue, stringifyExact } from './exact-json.js'
import { takeTraceColumns } from './trace-columns.js'
import type { OwnedFields } from './pino-line.js'
import type { TimeWindow } from '../lib/database/partitions.js'

export type Field = string | number | null
/** Values in COLUMNS order. */
export type RowValues = Field[]

export interface RowMapperOptions {
  sanitizer: Sanitizer
  levels: LevelNames
  messageKey: string
  errorKey: string
  /** The key of the time, and milliseconds per unit of a numeric time. Default `time`, 1. */
  timeKey?: string
  timeScale?: number
  /** pino's nestedKey, whose fields are mapped as top-level ones. */
  nestedKey?: string
  maxMessageLength: number
  window: () => TimeWindow
}

interface ErrorColumns { type: Field, message: Field, stack: Field }

const AT = {
  time: columnOf('time').index,
  level: columnOf('level').index,
  message: columnOf('message').index,
  context: columnOf('context').index,
  errorType: columnOf('error-type').index,
  errorMessage: columnOf('error-message').index,
  stack: columnOf('error-stack').index
}
const LEVEL_KEY = columnOf('level').keys[0]
/** Where a line's own time goes when the row is stamped at ingest time (see restampAtNow too). */
export const ORIGINAL_TIME = 'original_time'
// The error columns' keys past the first, which is the errorKey option's default.
const ERROR_KEYS = columnOf('error-type').keys.slice(1)

/** A column filled from one record key by a reader of its own (see ColumnSource), with its index. */
type KeyedColumn = ColumnSpec & { index: number, cap: number }

/** The columns fed by a single key each, by that key. */
function keyedColumns (): Map<string, KeyedColumn> {
  const keyed = new Map<string, KeyedColumn>()
  COLUMN_SPECS.forEach((c: ColumnSpec, index) => {
    if (c.source !== 'string' && c.source !== 'text' && c.source !== 'int32' && c.source !== 'number') return
    if (c.keys.length !== 1 || typeof c.cap === 'string') throw new Error(`curator-log: column ${c.name} needs one key and a fixed cap`)
    keyed.set(c.keys[0], { ...c, index, cap: c.cap ?? Infinity })
  })
  return keyed
}

/**
 * Builds the function that turns one parsed pino line into a system_logs row. Everything that has
 * no column goes, sanitized, into context; nothing in the line is dropped.
 */
export function createRowMapper (opts: RowMapperOptions): (record: Record<string, unknown>, now: number, owned?: OwnedFields) => RowValues {
  const { sanitizer, levels, messageKey, errorKey, maxMessageLength, timeKey = 'time', timeScale = 1, nestedKey } = opts
  const text = (s: string): string => sanitizer.sanitizeString(s, maxMessageLength)
  // A structure written into a text column: cut at the sanitizer's depth first (a value nested some
  // thousands deep would overflow the stack of any JSON writer).
  const json = (v: unknown): string => text(stringifyExact(sanitizer.sanitizeParsedValue(v)))
  // With pino's own leading time known, a field of the time key's name is the app's (see pinoHead).
  const ownsTime = (owned: OwnedFields | undefined): boolean => owned !== undefined && (owned.time !== undefined || timeKey === 'time')
  const keyed = keyedColumns()

  /** Puts `v` in its column if the column takes it; true when it did. */
  const take = (c: KeyedColumn, key: string, v: unknown, row: RowValues, rest: Record<string, unknown>): boolean => {
    switch (c.source) {
      case 'string':
      case 'text':
        if (c.source === 'string' ? typeof v !== 'string' : !isScalar(v)) return false
        row[c.index] = c.overLongInContext === true ? indexed(sanitizer, String(v), c.cap, key, rest) : sanitizer.sanitizeString(String(v), c.cap)
        return true
      case 'int32':
        if (!isInt32(numberValue(v))) return false
        row[c.index] = numberValue(v)
        return true
      case 'number':
        // A double precision column: a number that rounds to ±Infinity, or to 0 though it is not zero
        // (1e-400, which PostgreSQL's float8 refuses), stays exact in context.
        if (!Number.isFinite(numberValue(v)) || (numberValue(v) === 0 && /^-?[0.]*[1-9]/.test(numberText(v) as string))) return false
        row[c.index] = numberText(v) as string
        return true
    }
    return false
  }

  return function mapRecord (line, now, owned) {
    const record = withHttpColumns(nestedKey === undefined ? line : unnest(line, nestedKey))
    const rest: Record<string, unknown> = {}
    const row: RowValues = new Array<Field>(COLUMN_SPECS.length).fill(null)
    let time: unknown
    let level: unknown
    let message = ''
    let error: ErrorColumns | undefined

    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue
      const v = record[key]
      const column = keyed.get(key)
      // With pino's own level and time known, fields of these names are the app's: context.
      if (key === timeKey && !ownsTime(owned)) time = v
      else if (key === LEVEL_KEY && owned === undefined && isLevel(v)) level = v
      else if (key === messageKey && isScalar(v, true)) message = text(String(v))
      else if (column !== undefined && take(column, key, v, row, rest)) continue
      else if ((key === errorKey || ERROR_KEYS.includes(key)) && error === undefined && v !== null && v !== undefined) {
        error = errorColumns(v, key, rest, text, json)
      } else setField(rest, key, v)
    }

    takeTraceColumns(rest, row)
    if (owned !== undefined) {
      level = owned.level
      if (ownsTime(owned)) time = owned.time
    }
    const ms = toEpochMs(time, timeScale)
    const window = opts.window()
    let timestamp = ms
    if (ms === undefined || ms < window.from || ms >= window.to) {
      timestamp = now
      if (time !== undefined) setField(rest, freeKey(rest, ORIGINAL_TIME), time)
    }
    row[AT.time] = isoTime(timestamp as number)
    row[AT.level] = levelName(levels, level)
    row[AT.message] = message
    row[AT.context] = stringifyExact(sanitizer.sanitizeParsed(rest))
    if (error !== undefined) {
      row[AT.errorType] = error.type
      row[AT.errorMessage] = error.message
      row[AT.stack] = error.stack
    }
    return row
  }
}

/** A level the level column can name: a number, or text. Anything else (null, true, an object, '') stays in context. */
function isLevel (v: unknown): boolean {
  return (typeof v === 'string' && v !== '') || typeof v === 'number' || isLosslessNumber(v)
}

/** The stored level: a number written the long way (`40.0`) is its level's label when it has one, else its text as written. */
function levelName (levels: LevelNames, level: unknown): string {
  if (typeof level === 'number' || !isLosslessNumber(level)) return levels.name(level)
  const text = numberText(level) as string
  const label = levels.name(Number(text))
  return levels.value(label) === undefined ? levels.name(text) : label
}

/** A string, boolean or number (its text as written); `anyNumber` takes NaN and Infinity too. */
function isScalar (v: unknown, anyNumber = false): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (anyNumber && typeof v === 'number') || numberText(v) !== undefined
}

export function isInt32 (v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647
}

/** Sanitized and capped for its column; an over-long value is kept whole in context too. */
function indexed (sanitizer: Sanitizer, value: string, cap: number, key: string, rest: Record<string, unknown>): string {
  const clean = sanitizer.sanitizeString(value, cap)
  if (clean.length > cap) setField(rest, key, value)
  return clean
}

/** pino's err serializer shape ({ type, message, stack, ...props }), a plain string, or anything else. */
function errorColumns (v: unknown, key: string, rest: Record<string, unknown>, text: (s: string) => string, json: (v: unknown) => string): ErrorColumns {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isLosslessNumber(v)) {
    return { type: null, message: typeof v === 'string' ? text(v) : json(v), stack: null }
  }
  const { type, name, message, stack, ...props } = v as Record<string, unknown>
  const kind = typeof type === 'string' ? type : typeof name === 'string' ? name : null
  // What no column takes stays in context: pino's type is the constructor's name, so an `e.name` set
  // on the instance (`TimeoutError`) differs from it and is kept; so are a type or stack of no text.
  if (type !== undefined && typeof type !== 'string') props.type = type
  if (name !== undefined && name !== kind) props.name = name
  if (stack !== undefined && typeof stack !== 'string') props.stack = stack
  if (Object.keys(props).length > 0) setField(rest, key, props)
  return {
    type: kind === null ? null : text(kind),
    message: typeof message === 'string' ? text(message) : message === undefined ? null : json(message),
    stack: typeof stack === 'string' ? text(stack) : null
  }
}

/** pino's nestedKey holds the call's fields: they are read as if at the top, after the line's own. */
function unnest (record: Record<string, unknown>, key: string): Record<string, unknown> {
  const inner = record[key]
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner) || isLosslessNumber(inner)) return record
  const flat: Record<string, unknown> = {}
  for (const k of Object.keys(record)) if (k !== key) setField(flat, k, record[k])
  for (const k of Object.keys(inner)) setField(flat, k, (inner as Record<string, unknown>)[k])
  return flat
}

export function toEpochMs (time: unknown, scale = 1): number | undefined {
  const ms = typeof time === 'string' ? Date.parse(time) : numberValue(time) * scale
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined
}
