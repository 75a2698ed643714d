import { columnOf } from '../lib/core/columns.js'
import { isSpanId, isTraceId, traceFlags } from '../lib/core/trace-ids.js'

interface Source {
  index: number
  /** In order of precedence: the keys @opentelemetry/instrumentation-pino writes, then their camelCase forms. */
  keys: readonly string[]
  /** ECS (`trace.id`, nested as ecs-pino-format writes it, or a flat dotted key), after the keys. */
  ecs: string | undefined
  valid: (v: unknown) => string | number | undefined
}

const source = (of: 'trace-id' | 'span-id' | 'trace-flags', valid: Source['valid']): Source => {
  const { index, keys, ecs } = columnOf(of)
  return { index, keys, ecs, valid }
}
const SOURCES = [
  source('trace-id', v => isTraceId(v) ? v : undefined),
  source('span-id', v => isSpanId(v) ? v : undefined),
  source('trace-flags', traceFlags)
]

/**
 * Takes the trace columns out of a line's context fields (`rest`, modified) into `row`: the first
 * valid value of each fills its column, and every source holding that same value leaves the context.
 * Invalid or conflicting values stay in context, where the sanitizer sees them as any other field.
 */
export function takeTraceColumns (rest: Record<string, unknown>, row: Array<string | number | null>): void {
  for (const s of SOURCES) row[s.index] = take(rest, s) ?? null
}

function take (rest: Record<string, unknown>, source: Source): string | number | undefined {
  let found: string | number | undefined
  const consider = (v: unknown): boolean => {
    const ok = source.valid(v)
    if (ok === undefined) return false
    found ??= ok
    return ok === found
  }
  for (const key of source.keys) {
    if (Object.hasOwn(rest, key) && consider(rest[key])) delete rest[key]
  }
  if (source.ecs !== undefined) {
    const dotted = source.ecs + '.id'
    if (Object.hasOwn(rest, dotted) && consider(rest[dotted])) delete rest[dotted]
    const nested = rest[source.ecs]
    if (Object.hasOwn(rest, source.ecs) && isPlainObject(nested) && Object.hasOwn(nested, 'id') && consider(nested.id)) {
      const { id, ...others } = nested
      if (Object.keys(others).length === 0) delete rest[source.ecs]
      else rest[source.ecs] = others
    }
  }
  return found
}

function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
