import { prettyFactory } from 'pino-pretty'
import { LevelNames } from '../core/levels.js'
import { jsonSafe, printablePretty } from '../sanitizer/printable.js'

const levels = new LevelNames()
const COLUMN_FIELDS = ['request_id', 'user_id', 'ip_address', 'user_agent', 'path', 'method', 'status_code', 'duration_ms', 'hostname', 'pid', 'trace_id', 'span_id', 'trace_flags'] as const

/** A table row back as a pino line (the shape pino-pretty reads). */
export function rowToLine (row: Record<string, any>): Record<string, unknown> {
  const line: Record<string, unknown> = {
    level: levels.value(row.level) ?? row.level,
    time: row.timestamp instanceof Date ? row.timestamp.getTime() : row.timestamp,
    ...(row.logger !== null ? { name: row.logger } : {})
  }
  for (const k of COLUMN_FIELDS) if (row[k] !== null && row[k] !== undefined) line[k] = row[k]
  Object.assign(line, row.context)
  if (row.error_type !== null || row.error_message !== null || row.stack_trace !== null) {
    line.err = { type: row.error_type, message: row.error_message, stack: row.stack_trace }
  }
  line.msg = row.message
  return line
}

/** Writes rows as pretty lines on a terminal, NDJSON (which pino-pretty accepts) otherwise. */
export function lineWriter (out: NodeJS.WritableStream, pretty = (out as { isTTY?: boolean }).isTTY === true): (row: Record<string, any>) => void {
  // Colours only for a terminal: `--pretty` into a pipe or a file gets plain text.
  const format = pretty ? printablePretty(prettyFactory({ colorize: (out as { isTTY?: boolean }).isTTY === true, translateTime: 'SYS:standard' })) : undefined
  return row => {
    const line = rowToLine(row)
    out.write(format ? format(line) : jsonSafe(JSON.stringify(line)) + '\n')
  }
}

export const OUTPUT_HELP = '  --pretty / --json   force pretty lines or NDJSON (default: pretty on a terminal)'
