import type { LogTarget } from '../core/identifiers.js'

/** What a failed COPY means for the rows in it, and so what is done with them. */
export type ErrorKind =
  /** The rows themselves (classes 22 data exception, 23 integrity, 54 program limit): isolate and dead-letter them. */
  | 'data'
  /** No partition for the rows' month: make or find one, else the rows wait on disk. */
  | 'no-partition'
  /** statement_timeout cancelled the COPY: smaller batches may fit. */
  | 'timeout'
  /** The role may not write to the table (42501): retried, reported once with the grant it needs. */
  | 'permission'
  /** The schema, table, a column or migrate's partition function is missing (3F000, 42P01, 42703, 42883): retried, reported once with the migrate command. */
  | 'schema'
  /** Anything else (connection loss, shutdown, lock timeouts): retried with backoff. */
  | 'transient'

/** Sorts a COPY error by what will make it succeed. */
export function classify (err: unknown): ErrorKind {
  if (isMissingPartition(err)) return 'no-partition'
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || code.length !== 5) return 'transient'
  if (/^(22|23|54)/.test(code)) return 'data'
  if (code === '57014' && /statement timeout/.test(String((err as Error).message))) return 'timeout'
  if (code === '42501') return 'permission'
  if (code === '42P01' || code === '42703' || code === '3F000' || code === '42883') return 'schema'
  return 'transient'
}

/** What the operator should do about a failure of this kind, for the one line that reports it. */
export function adviceFor (kind: ErrorKind, target: LogTarget): string {
  const table = `${target.schema}.${target.table}`
  if (kind === 'permission') return ` — the role needs USAGE on the schema, INSERT on ${table}, USAGE on its id sequence and SELECT, INSERT, DELETE on the schema's curator_log_batches (see docs/operations.md, Roles)`
  if (kind === 'schema') return ` — run \`${migrateCommand(target)}\` for ${table}`
  return ''
}

/** The migrate command line for this table: its flags for a schema or table other than the defaults. */
export function migrateCommand (target: LogTarget): string {
  return 'curator-log migrate' + (target.schema === 'public' ? '' : ` --schema ${target.schema}`) + (target.table === 'system_logs' ? '' : ` --table ${target.table}`)
}

/**
 * A COPY that failed because of what was in it (SQLSTATE classes 22 data exception, 23 integrity,
 * 54 program limit such as an over-long index entry) fails again on retry.
 */
export function isDataError (err: unknown): boolean {
  return classify(err) === 'data'
}

/** The row's month has no partition: fixable by creating it, not by isolating the row. */
export function isMissingPartition (err: unknown): boolean {
  const e = err as { code?: unknown, message?: unknown } | null
  return e?.code === '23514' && typeof e.message === 'string' && e.message.startsWith('no partition of relation')
}

export function errorText (err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return (typeof code === 'string' ? `${code} ` : '') + (err.message || err.name)
  }
  return String(err)
}

/**
 * A failure only an operator ends (a privilege, a missing table, a password or role the server refuses,
 * a database that does not exist): retrying it for the rest of a close only delays the spill.
 */
export function needsOperator (err: unknown, kind: ErrorKind = classify(err)): boolean {
  if (kind === 'permission' || kind === 'schema') return true
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000')
}

/** An error PostgreSQL itself reported (it carries a SQLSTATE), as opposed to a lost connection. */
export function isServerError (err: unknown): boolean {
  const e = err as { code?: unknown, severity?: unknown } | null
  return typeof e?.code === 'string' && e.code.length === 5 && typeof e.severity === 'string' && !e.code.startsWith('08') && !e.code.startsWith('57P')
}
