import { LevelNames } from '../core/levels.js'
import { UsageError } from './args.js'
import { flagError } from './errors.js'

/** The filter options query and tail share. */
export const FILTER_OPTIONS = {
  'request-id': { type: 'string' },
  'trace-id': { type: 'string' },
  'user-id': { type: 'string' },
  level: { type: 'string' },
  logger: { type: 'string' },
  path: { type: 'string' },
  since: { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  where: { type: 'string' },
  text: { type: 'string' }
} as const

export const FILTER_HELP = `  --request-id ID    rows of one request
  --trace-id ID      rows of one OpenTelemetry trace (32 hex digits)
  --user-id ID       rows of one user
  --level LEVEL      this level and above (trace, debug, info, warn, error, fatal)
  --logger NAME      rows of one logger
  --path PATH        rows of one request path
  --since DURATION   newer than this long ago: 30s, 15m, 1h, 7d
  --from TIME        at or after this time (ISO 8601)
  --until TIME       before this time (ISO 8601)
  --where JSON       context contains this JSON, e.g. '{"order_id":7}'
  --text TEXT        message contains this text (case-insensitive)`

export type FilterValues = Partial<Record<keyof typeof FILTER_OPTIONS, string>>

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

// PostgreSQL's timestamptz starts at 4714-11-24 00:00 UTC BC (year -4713); a JavaScript Date ends
// at +275760-09-13, before PostgreSQL's end. A time outside both is a usage error here, not a
// PostgreSQL error 22008 (or 22007 for an Invalid Date) after connecting.
const EARLIEST_MS = Date.UTC(-4713, 10, 24)
const LATEST_MS = 8.64e15
const RANGE = 'between -004713-11-24T00:00:00Z and +275760-09-13T00:00:00Z'

/** `30s`, `15m`, `1h`, `7d`, `2w` in milliseconds. */
export function parseDuration (text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim())
  if (!m) throw new UsageError(`--since takes a duration such as 30s, 15m, 1h or 7d, got ${JSON.stringify(text)}`)
  return Number(m[1]) * UNITS[m[2]]
}

function since (text: string, now: number): Date {
  const ms = now - parseDuration(text)
  if (!(ms >= EARLIEST_MS && ms <= LATEST_MS)) throw new UsageError(`--since reaches too far back: the time it names must be ${RANGE}, got ${JSON.stringify(text)}`)
  return new Date(ms)
}

function time (name: string, text: string): Date {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new UsageError(`${name} must be a time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(text)}`)
  if (ms < EARLIEST_MS || ms > LATEST_MS) throw new UsageError(`${name} must be ${RANGE}, got ${JSON.stringify(text)}`)
  return new Date(ms)
}

/** SQL conditions and parameters for the filters; every value travels as a parameter. */
export function buildFilters (f: FilterValues, now = Date.now()): { where: string[], params: unknown[] } {
  const where: string[] = []
  const params: unknown[] = []
  const add = (sql: string, value: unknown): void => {
    params.push(value)
    where.push(sql.replace('?', `$${params.length}`))
  }
  if (f['request-id'] !== undefined) add('request_id = ?', f['request-id'])
  if (f['trace-id'] !== undefined) {
    if (!/^[0-9a-f]{32}$/i.test(f['trace-id'])) throw new UsageError(`--trace-id takes a W3C trace id, 32 hex digits, got ${JSON.stringify(f['trace-id'])}`)
    add('trace_id = ?', f['trace-id'].toLowerCase())
  }
  if (f['user-id'] !== undefined) add('user_id = ?', f['user-id'])
  if (f.logger !== undefined) add('logger = ?', f.logger)
  if (f.path !== undefined) add('path = ?', f.path)
  if (f.level !== undefined) {
    try {
      add('level = ANY(?)', new LevelNames().atOrAbove(f.level.toLowerCase()))
    } catch (err) {
      throw flagError(err)
    }
  }
  if (f.since !== undefined && (f.from !== undefined || f.until !== undefined)) throw new UsageError('--since cannot be combined with --from or --until: give either a duration or a time range')
  if (f.since !== undefined) add('"timestamp" >= ?', since(f.since, now))
  if (f.from !== undefined) add('"timestamp" >= ?', time('--from', f.from))
  if (f.until !== undefined) add('"timestamp" < ?', time('--until', f.until))
  if (f.where !== undefined) {
    let json: unknown
    try {
      json = JSON.parse(f.where)
    } catch {
      throw new UsageError(`--where must be JSON, e.g. '{"order_id":7}', got ${f.where}`)
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`--where must be a JSON object, e.g. '{"order_id":7}', got ${f.where}`)
    add('context @> ?::jsonb', JSON.stringify(json))
  }
  if (f.text !== undefined) add("message ILIKE ? ESCAPE '\\'", '%' + f.text.replace(/[\\%_]/g, c => '\\' + c) + '%')
  return { where, params }
}
