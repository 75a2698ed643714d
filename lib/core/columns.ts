/** The columns the transport loads, in COPY order. */
export const COLUMNS = [
  'timestamp', 'level', 'logger', 'message', 'context', 'request_id', 'user_id', 'ip_address',
  'user_agent', 'path', 'method', 'status_code', 'duration_ms', 'error_type', 'error_message',
  'stack_trace', 'hostname', 'pid', 'trace_id', 'span_id', 'trace_flags'
] as const

export type Column = typeof COLUMNS[number]

export const TIMESTAMP_INDEX = COLUMNS.indexOf('timestamp')
export const LEVEL_INDEX = COLUMNS.indexOf('level')
export const CONTEXT_INDEX = COLUMNS.indexOf('context')
