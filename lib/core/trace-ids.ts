// W3C Trace Context identifiers, as OpenTelemetry writes them: lowercase hex, all zeros invalid.
// The transport (columns) and the HTTP middleware (traceparent) both judge ids here.

const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/
const FLAGS = /^[0-9a-f]{2}$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/** The trace fields of a log line, as the transport stores them. */
export interface TraceFields {
  /** 32 lowercase hex digits. */
  trace_id: string
  /** 16 lowercase hex digits; absent when the service has no span of its own (traceparent alone). */
  span_id?: string
  /** W3C trace-flags as a number, 0 to 255 (bit 0: sampled). */
  trace_flags?: number
}

/** A valid trace id: 32 lowercase hex digits, not all zero. */
export function isTraceId (v: unknown): v is string {
  return typeof v === 'string' && v.length === 32 && TRACE_ID.test(v) && v !== ZERO_TRACE
}

/** A valid span id: 16 lowercase hex digits, not all zero. */
export function isSpanId (v: unknown): v is string {
  return typeof v === 'string' && v.length === 16 && SPAN_ID.test(v) && v !== ZERO_SPAN
}

/**
 * Trace flags as a number: an integer 0 to 255, or two hex digits as instrumentation-pino writes
 * them (`"01"`). Anything else is undefined.
 */
export function traceFlags (v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 255 ? v : undefined
  return typeof v === 'string' && v.length === 2 && FLAGS.test(v) ? parseInt(v, 16) : undefined
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/**
 * The fields of a W3C `traceparent` header of version 00: the trace id, the caller's span id
 * (`parent_span_id`) and the flags. A malformed header, another version, or an all-zero id gives
 * undefined: the header is then ignored, as the specification asks.
 */
export function parseTraceparent (header: unknown): { trace_id: string, parent_span_id: string, trace_flags: number } | undefined {
  const value = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header
  if (typeof value !== 'string' || value.length > 64) return undefined
  const m = TRACEPARENT.exec(value.trim())
  if (m === null || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined
  return { trace_id: m[1], parent_span_id: m[2], trace_flags: parseInt(m[3], 16) }
}
