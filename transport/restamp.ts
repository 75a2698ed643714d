import { CONTEXT_INDEX, TIMESTAMP_INDEX } from '../lib/core/columns.js'
import { decodeRow, encodeRow } from './copy-text.js'
import { parseExact, stringifyExact } from './exact-json.js'

/**
 * A COPY line whose month has no partition, restamped with `now` (ingest time), its own time kept in
 * context.original_time (as for any time outside the live months). Returns the line unchanged when
 * it already carries `now`'s time.
 */
export function restampAtNow (line: string, now: number): string {
  const fields = decodeRow(line)
  const original = fields[TIMESTAMP_INDEX]
  const at = new Date(now).toISOString()
  if (original === at) return line
  const context = parseExact(fields[CONTEXT_INDEX] ?? '{}') as Record<string, unknown>
  if (!('original_time' in context)) context.original_time = original
  fields[TIMESTAMP_INDEX] = at
  fields[CONTEXT_INDEX] = stringifyExact(context)
  return encodeRow(fields)
}
