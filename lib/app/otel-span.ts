import { createRequire } from 'node:module'
import { currentContext } from './context.js'
import { isSpanId, isTraceId, type TraceFields } from '../core/trace-ids.js'

// The part of @opentelemetry/api used here, typed locally: the package is an optional peer.
interface SpanContext { traceId: string, spanId: string, traceFlags: number }
interface OtelApi {
  trace: { getSpan (ctx: unknown): { spanContext (): SpanContext } | undefined }
  context: { active (): unknown }
}

let api: OtelApi | null | undefined
// Set once a request has started inside a valid span, that is, once an SDK is really tracing: from
// then on each line looks up the span active when it is written. Until then lines pay nothing.
let tracing = false

/**
 * @opentelemetry/api when the application has it, else null; looked up once, on first use. A
 * synchronous require, not import(): middleware is synchronous, and the first request must see its
 * span. Any copy of the API finds the SDK the application registered (they share a global).
 */
export function otelApi (): OtelApi | null {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi
    } catch {
      api = null
    }
  }
  return api
}

/** The ids of the span active now, when the OpenTelemetry API is installed and a valid span is active. */
export function activeSpan (): Required<TraceFields> | undefined {
  const otel = otelApi()
  if (otel === null) return undefined
  const sc = otel.trace.getSpan(otel.context.active())?.spanContext()
  if (sc === undefined || !isTraceId(sc.traceId) || !isSpanId(sc.spanId)) return undefined
  tracing = true
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: sc.traceFlags }
}

/**
 * The active span's ids for one line, when they differ from those the current context already
 * carries (a child span of the request's): undefined in the common case, so the line is written as
 * it was. Until an SDK is seen tracing, it costs a flag test (not even the context's lookup).
 */
export function lineSpan (): Required<TraceFields> | undefined {
  if (!tracing) return undefined
  const ctx = currentContext()
  const span = activeSpan()
  if (span === undefined || (ctx !== undefined && ctx.span_id === span.span_id && ctx.trace_id === span.trace_id)) return undefined
  return span
}
