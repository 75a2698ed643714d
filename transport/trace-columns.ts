import { isSpanId, isTraceId, traceFlags } from '../lib/core/trace-ids.js'

/** trace_id, span_id and trace_flags, in COLUMNS order. */
export type TraceValues = [string | null, string | null, number | null]

// Where each column's value may come from, in order of precedence: the keys
// @opentelemetry/instrumentation-pino writes, their camelCase forms, and ECS (`trace.id`, nested as
// ecs-pino-format writes it, or a flat dotted key).
const SOURCES = {
  trace: { keys: ['trace_id', 'traceId'], ecs: 'trace', valid: (v: unknown) => isTraceId(v) ? v : undefined },
  span: { keys: ['span_id', 'spanId'], ecs: 'span', valid: (v: unknown) => isSpanId(v) ? v : undefined },
  flags: { keys: ['trace_flags', 'traceFlags'], ecs: undefined, valid: traceFlags }
} as const

/** Top-level keys the fast path leaves to this module's full rules. */
export const TRACE_ALIASES = ['traceId', 'spanId', 'traceFlags', 'trace', 'span', 'trace.id', 'span.id'] as const

/**
 * Takes the trace columns out of a line's context fields (`rest`, modified): the first valid value of
 * each fills its column, and every source holding that same value leaves the context. Invalid or
 * conflicting values stay in context, where the sanitizer sees them as any other field.
 */
export function takeTraceColumns (rest: Record<string, unknown>): TraceValues {
  return [take<string>(rest, SOURCES.trace) ?? null, take<string>(rest, SOURCES.span) ?? null, take<number>(rest, SOURCES.flags) ?? null]
}

type Source = typeof SOURCES[keyof typeof SOURCES]

function take<T extends string | number> (rest: Record<string, unknown>, source: Source): T | undefined {
  let found: T | undefined
  const consider = (v: unknown): boolean => {
    const ok = source.valid(v) as T | undefined
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
