import { CONTEXT_INDEX, TIMESTAMP_INDEX } from '../lib/core/columns.js'
import { decodeRow, encodeRow } from './copy-text.js'
import { parseExact, stringifyExact } from './exact-json.js'
import { freeKey, setField } from '../lib/sanitizer/values.js'
import { ORIGINAL_TIME } from './record-to-row.js'

/**
 * A COPY line whose month has no partition, restamped with `now` (ingest time), its own time kept in
 * context.original_time, or original_time#2… when the app logged a field of that name (as for any
 * time outside the live months). Returns the line unchanged when
 * it already carries `now`'s time.
 */
export function restampAtNow (line: string, now: number): string {
  const fields = decodeRow(line)
  const original = fields[TIMESTAMP_INDEX]
  const at = new Date(now).toISOString()
  if (original === at) return line
  const context = parseExact(fields[CONTEXT_INDEX] ?? '{}') as Record<string, unknown>
  // Whatever holds the name already stays (a field the app logged, or the line's own time where the
  // mapper stamped it at ingest time before): the time replaced here goes to the next free name.
  setField(context, freeKey(context, ORIGINAL_TIME), original)
  fields[TIMESTAMP_INDEX] = at
  fields[CONTEXT_INDEX] = stringifyExact(context)
  return encodeRow(fields)
}
