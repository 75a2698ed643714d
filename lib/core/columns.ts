/**
 * The one description of system_logs' columns: the COPY column list and field order, both row
 * mappers (transport/record-to-row.ts and the fast path, transport/line-to-row.ts), the CLI's output,
 * the benches and the column table of docs/transport.md (npm run docs:columns) all read it.
 * test/columns-table.test.ts holds it to the migrated table, so a migration and this list cannot
 * drift apart. Adding a column: docs/design-notes.md.
 */

/** PostgreSQL types as `format_type()` spells them. */
export type ColumnType = 'timestamp with time zone' | 'text' | 'jsonb' | 'integer' | 'smallint' | 'double precision'

/**
 * How a column takes its value from a pino record. Each kind has one reader in each row mapper; a
 * value a reader does not take stays in context, sanitized like any other field.
 * - `time`: the time key (option timeKey); outside the partitions, ingest time (see TimeWindow).
 * - `level`: pino's level, stored by name.
 * - `message`: the message key (option messageKey): a string, number or boolean, capped at maxMessageLength.
 * - `context`: every field with no column, sanitized, as JSON.
 * - `string`: a string only, sanitized and capped.
 * - `text`: a string, boolean or number (its text as written), sanitized and capped.
 * - `int32`: an integer in PostgreSQL's integer range.
 * - `number`: a finite number, its text as written.
 * - `error-type`, `error-message`, `error-stack`: from the error (option errorKey, or `error`), pino's err shape.
 * - `trace-id`, `span-id`, `trace-flags`: the first valid W3C value of `keys`, then `ecs` (transport/trace-columns.ts).
 */
export type ColumnSource = 'time' | 'level' | 'message' | 'context' | 'string' | 'text' | 'int32' | 'number' |
'error-type' | 'error-message' | 'error-stack' | 'trace-id' | 'span-id' | 'trace-flags'

/**
 * How `curator-log logs` shows the column in the pino line it rebuilds from a row: `field` under the
 * column's name (left out when NULL), `time`, `level`, `name`, `msg` as pino writes them, `context`
 * spread into the line, `err.type` … inside `err`.
 */
export type LineField = 'field' | 'time' | 'level' | 'name' | 'msg' | 'context' | 'err.type' | 'err.message' | 'err.stack'

export interface ColumnSpec {
  readonly name: string
  readonly type: ColumnType
  /** NOT NULL in the table. */
  readonly notNull: boolean
  readonly source: ColumnSource
  /** Record keys that feed the column, in precedence order; for option-named keys, the option's default. */
  readonly keys: readonly string[]
  /** ECS form of a trace column: `<ecs>.id`, flat or nested. */
  readonly ecs?: string
  /** Longest value kept, in UTF-16 units: a number, or the transport's maxMessageLength. */
  readonly cap?: number | 'maxMessageLength'
  /** An over-long value is cut in the column and also kept whole in context. */
  readonly overLongInContext?: boolean
  readonly line: LineField
}

// Longest value kept in a lookup column (request_id, path, ...): they are compared and grouped, not read;
// an over-long value is cut there and kept whole in context.
export const MAX_INDEXED_TEXT = 512

/** A column fed by the record key of its own name, shown under that name. */
const lookup = (name: string, source: 'text' | 'int32' | 'number', type: ColumnType = 'text'): ColumnSpec =>
  ({ name, type, notNull: false, source, keys: [name], line: 'field', ...(source === 'text' ? { cap: MAX_INDEXED_TEXT, overLongInContext: true } : {}) })

/**
 * In COPY order. ALTER TABLE … ADD COLUMN appends, and the table test holds this order to the
 * table's: a new column goes at the end.
 */
export const COLUMN_SPECS: readonly ColumnSpec[] = [
  { name: 'timestamp', type: 'timestamp with time zone', notNull: true, source: 'time', keys: ['time'], line: 'time' },
  { name: 'level', type: 'text', notNull: true, source: 'level', keys: ['level'], line: 'level' },
  { name: 'logger', type: 'text', notNull: false, source: 'string', keys: ['name'], cap: MAX_INDEXED_TEXT, overLongInContext: true, line: 'name' },
  { name: 'message', type: 'text', notNull: true, source: 'message', keys: ['msg'], cap: 'maxMessageLength', line: 'msg' },
  { name: 'context', type: 'jsonb', notNull: true, source: 'context', keys: [], line: 'context' },
  lookup('request_id', 'text'),
  lookup('user_id', 'text'),
  lookup('ip_address', 'text'),
  lookup('user_agent', 'text'),
  lookup('path', 'text'),
  lookup('method', 'text'),
  lookup('status_code', 'int32', 'integer'),
  lookup('duration_ms', 'number', 'double precision'),
  { name: 'error_type', type: 'text', notNull: false, source: 'error-type', keys: ['err', 'error'], cap: 'maxMessageLength', line: 'err.type' },
  { name: 'error_message', type: 'text', notNull: false, source: 'error-message', keys: ['err', 'error'], cap: 'maxMessageLength', line: 'err.message' },
  { name: 'stack_trace', type: 'text', notNull: false, source: 'error-stack', keys: ['err', 'error'], cap: 'maxMessageLength', line: 'err.stack' },
  { name: 'hostname', type: 'text', notNull: false, source: 'string', keys: ['hostname'], cap: MAX_INDEXED_TEXT, line: 'field' },
  lookup('pid', 'int32', 'integer'),
  { name: 'trace_id', type: 'text', notNull: false, source: 'trace-id', keys: ['trace_id', 'traceId'], ecs: 'trace', line: 'field' },
  { name: 'span_id', type: 'text', notNull: false, source: 'span-id', keys: ['span_id', 'spanId'], ecs: 'span', line: 'field' },
  { name: 'trace_flags', type: 'smallint', notNull: false, source: 'trace-flags', keys: ['trace_flags', 'traceFlags'], line: 'field' }
]

/** The column names in COPY order. */
export const COLUMNS: readonly string[] = COLUMN_SPECS.map(c => c.name)

/** The spec of the column fed by `source`; throws when there is none or more than one. */
export function columnOf (source: ColumnSource): ColumnSpec & { index: number } {
  const found = COLUMN_SPECS.flatMap((c, index) => c.source === source ? [{ ...c, index }] : [])
  if (found.length !== 1) throw new Error(`curator-log: ${found.length} columns read ${source}, the row mappers take one`)
  return found[0]
}

export const TIMESTAMP_INDEX = columnOf('time').index
export const LEVEL_INDEX = columnOf('level').index
export const CONTEXT_INDEX = columnOf('context').index
