import type { IncomingHttpHeaders } from 'node:http'
import { activeSpan } from '../otel-span.js'
import { parseTraceparent } from '../../core/trace-ids.js'

/** How a request's trace ids reach its lines (see docs/opentelemetry.md). */
export interface TraceContextOptions {
  /**
   * Put the request's trace ids in its context: those of the active OpenTelemetry span when
   * `@opentelemetry/api` is installed and a span is active (an SDK's HTTP instrumentation starts
   * one per request), otherwise those of a valid W3C `traceparent` header. Default true.
   */
  traceContext?: boolean
}

/**
 * The request's trace fields: the active span's ids, else the `traceparent` header's trace id and
 * flags with the caller's span as `parent_span_id` (the service has no span of its own then, so
 * `span_id` stays empty). Undefined when neither is there.
 */
export function requestTrace (headers: IncomingHttpHeaders): Record<string, string | number> | undefined {
  return activeSpan() ?? parseTraceparent(headers.traceparent)
}
