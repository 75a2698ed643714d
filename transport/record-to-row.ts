import { type Sanitizer, setField } from '../lib/sanitizer/sanitizer.js'
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

// Longest value kept in a lookup column (request_id, path, ...): they are compared and grouped, not read;
// an over-long value is cut there and kept whole in context.
export const MAX_INDEXED_TEXT = 512

export const TEXT_COLUMNS = new Set(['request_id', 'user_id', 'ip_address', 'user_agent', 'path', 'method'])

interface ErrorColumns { type: Field, message: Field, stack: Field }

/**
 * Builds the function that turns one parsed pino line into a system_logs row. Everything that has
 * no column goes, sanitized, into context; nothing in the line is dropped.
 */
export function createRowMapper (opts: RowMapperOptions): (record: Record<string, unknown>, now: number, owned?: OwnedFields) => RowValues {
  const { sanitizer, levels, messageKey, errorKey, maxMessageLength, timeKey = 'time', timeScale = 1, nestedKey } = opts
  const text = (s: string): string => sanitizer.sanitizeString(s, maxMessageLength)
  // With pino's own leading time known, a field of the time key's name is the app's (see pinoHead).
  const ownsTime = (owned: OwnedFields | undefined): boolean => owned !== undefined && (owned.time !== undefined || timeKey === 'time')

  return function mapRecord (line, now, owned) {
    const record = withHttpColumns(nestedKey === undefined ? line : unnest(line, nestedKey))
    const rest: Record<string, unknown> = {}
    const cols: Record<string, Field> = {}
    let time: unknown
    let level: unknown
    let logger: Field = null
    let message = ''
    let error: ErrorColumns | undefined
    let hostname: Field = null
    let pid: Field = null
    let status: Field = null
    let duration: Field = null

    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue
      const v = record[key]
      // With pino's own level and time known, fields of these names are the app's: context.
      if (key === timeKey && !ownsTime(owned)) time = v
      else if (key === 'level' && owned === undefined) level = v
      else if (key === messageKey && isScalar(v, true)) message = text(String(v))
      else if (key === 'name' && typeof v === 'string') logger = indexed(sanitizer, v, key, rest)
      else if (key === 'hostname' && typeof v === 'string') hostname = sanitizer.sanitizeString(v, MAX_INDEXED_TEXT)
      else if (key === 'pid' && isInt32(numberValue(v))) pid = numberValue(v)
      else if (key === 'status_code' && isInt32(numberValue(v))) status = numberValue(v)
      else if (key === 'duration_ms' && Number.isFinite(numberValue(v))) duration = numberText(v) as string
      else if (TEXT_COLUMNS.has(key) && isScalar(v)) cols[key] = indexed(sanitizer, String(v), key, rest)
      else if ((key === errorKey || key === 'error') && error === undefined && v !== null && v !== undefined) {
        error = errorColumns(v, key, rest, text)
      } else setField(rest, key, v)
    }

    const trace = takeTraceColumns(rest)
    if (owned !== undefined) {
      level = owned.level
      if (ownsTime(owned)) time = owned.time
    }
    const ms = toEpochMs(time, timeScale)
    const window = opts.window()
    let timestamp = ms
    if (ms === undefined || ms < window.from || ms >= window.to) {
      timestamp = now
      if (time !== undefined) setField(rest, 'original_time', time)
    }
    const context = stringifyExact(sanitizer.sanitizeParsed(rest))

    return [
      isoTime(timestamp as number), levels.name(level), logger, message, context,
      cols.request_id ?? null, cols.user_id ?? null, cols.ip_address ?? null, cols.user_agent ?? null,
      cols.path ?? null, cols.method ?? null, status, duration,
      error?.type ?? null, error?.message ?? null, error?.stack ?? null, hostname, pid, ...trace
    ]
  }
}

/** A string, boolean or number (its text as written); `anyNumber` takes NaN and Infinity too. */
function isScalar (v: unknown, anyNumber = false): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (anyNumber && typeof v === 'number') || numberText(v) !== undefined
}

export function isInt32 (v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647
}

/** Sanitized and capped for its column; an over-long value is kept whole in context too. */
function indexed (sanitizer: Sanitizer, value: string, key: string, rest: Record<string, unknown>): string {
  const clean = sanitizer.sanitizeString(value, MAX_INDEXED_TEXT)
  if (clean.length > MAX_INDEXED_TEXT) setField(rest, key, value)
  return clean
}

/** pino's err serializer shape ({ type, message, stack, ...props }), a plain string, or anything else. */
function errorColumns (v: unknown, key: string, rest: Record<string, unknown>, text: (s: string) => string): ErrorColumns {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isLosslessNumber(v)) {
    return { type: null, message: text(typeof v === 'string' ? v : stringifyExact(v)), stack: null }
  }
  const { type, name, message, stack, ...props } = v as Record<string, unknown>
  const kind = typeof type === 'string' ? type : typeof name === 'string' ? name : null
  if (typeof type !== 'string' && name !== undefined && typeof name !== 'string') props.name = name
  if (Object.keys(props).length > 0) setField(rest, key, props)
  return {
    type: kind === null ? null : text(kind),
    message: typeof message === 'string' ? text(message) : message === undefined ? null : text(stringifyExact(message)),
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
