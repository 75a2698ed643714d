import { prettyFactory } from 'pino-pretty'
import { LevelNames } from '../core/levels.js'
import { COLUMN_SPECS, type LineField } from '../core/columns.js'
import { jsonSafe, printablePretty } from '../sanitizer/printable.js'
import { setField } from '../sanitizer/values.js'

const levels = new LevelNames()
/** The column shown as `line` (see LineField). */
const shownAs = (line: LineField): string => COLUMN_SPECS.find(c => c.line === line)?.name as string
const [TIME, LEVEL, NAME, MSG, CONTEXT] = (['time', 'level', 'name', 'msg', 'context'] as const).map(shownAs)
const ERR = { type: shownAs('err.type'), message: shownAs('err.message'), stack: shownAs('err.stack') }
const COLUMN_FIELDS = COLUMN_SPECS.filter(c => c.line === 'field').map(c => c.name)

/** A table row back as a pino line (the shape pino-pretty reads). */
export function rowToLine (row: Record<string, any>): Record<string, unknown> {
  const line: Record<string, unknown> = {
    level: levels.value(row[LEVEL]) ?? row[LEVEL],
    time: row[TIME] instanceof Date ? row[TIME].getTime() : row[TIME],
    ...(row[NAME] !== null ? { name: row[NAME] } : {})
  }
  for (const k of COLUMN_FIELDS) if (row[k] !== null && row[k] !== undefined) line[k] = row[k]
  // Field by field as data: Object.assign would take a stored `__proto__` key for the line's prototype.
  const context = row[CONTEXT]
  if (context !== null && typeof context === 'object') for (const k of Object.keys(context)) setField(line, k, context[k])
  if (row[ERR.type] !== null || row[ERR.message] !== null || row[ERR.stack] !== null) {
    line.err = { type: row[ERR.type], message: row[ERR.message], stack: row[ERR.stack] }
  }
  line.msg = row[MSG]
  return line
}

/** Writes rows as pretty lines on a terminal, NDJSON (which pino-pretty accepts) otherwise. */
export function lineWriter (out: NodeJS.WritableStream, pretty = (out as { isTTY?: boolean }).isTTY === true): (row: Record<string, any>) => void {
  // Colours only for a terminal: `--pretty` into a pipe or a file gets plain text.
  // pino-pretty looks each field's name up in customPrettifiers: its default `{}` would find
  // Object.prototype's `constructor` or `toString` for fields of those names and fail on them.
  const format = pretty ? printablePretty(prettyFactory({ colorize: (out as { isTTY?: boolean }).isTTY === true, translateTime: 'SYS:standard', customPrettifiers: Object.create(null) })) : undefined
  return row => {
    const line = rowToLine(row)
    out.write(format ? format(line) : jsonSafe(JSON.stringify(line)) + '\n')
  }
}

export const OUTPUT_HELP = '  --pretty / --json   force pretty lines or NDJSON (default: pretty on a terminal)'
