/**
 * A COPY that failed because of what was in it (SQLSTATE classes 22 data exception, 23 integrity,
 * 54 program limit such as an over-long index entry) fails again on retry; anything else (connection
 * loss, shutdown, timeouts, missing table or privilege) may succeed later.
 */
export function isDataError (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.length === 5 && /^(22|23|54)/.test(code) && !isMissingPartition(err)
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

/** An error PostgreSQL itself reported (it carries a SQLSTATE), as opposed to a lost connection. */
export function isServerError (err: unknown): boolean {
  const e = err as { code?: unknown, severity?: unknown } | null
  return typeof e?.code === 'string' && e.code.length === 5 && typeof e.severity === 'string' && !e.code.startsWith('08') && !e.code.startsWith('57P')
}
