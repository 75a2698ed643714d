// Everything a terminal or a line-splitting reader may act on: C0 (with \n, \r, ESC), DEL, C1 and the
// Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
// What JSON.stringify leaves as it is: it escapes C0 but not DEL, C1 or U+2028/2029.
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u2028\u2029]/
const UNESCAPED_BY_JSON_ALL = /[\u007f-\u009f\u2028\u2029]/g
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

const escape = (c: string): string => SHORT[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

/** `s` with every control character written as an escape (`\n`, `\u001b`), so it prints on one line. */
export function printable (s: string): string {
  return CONTROL.test(s) ? s.replace(CONTROL_ALL, escape) : s
}

/** A stack trace keeps its line breaks (pretty output indents them) but loses every other control. */
function printableStack (s: string): string {
  return s.split(/\r?\n/).map(printable).join('\n')
}

function jsonSafe (s: string): string {
  return UNESCAPED_BY_JSON.test(s) ? s.replace(UNESCAPED_BY_JSON_ALL, escape) : s
}

/**
 * A copy of a log record that pino-pretty prints without a control character reaching the terminal:
 * the fields it prints as they are (message, name, hostname, keys) are escaped in full, the stack
 * keeps its line breaks, and the strings it prints through JSON.stringify lose what that leaves.
 */
export function printableRecord (record: Record<string, unknown>, messageKey = 'msg', errorKey = 'err'): Record<string, unknown> {
  const out = walk(record, 0) as Record<string, unknown>
  for (const key of [messageKey, 'name', 'hostname']) {
    if (typeof record[key] === 'string') out[key] = printable(record[key] as string)
  }
  for (const key of new Set([errorKey, 'err', 'error'])) {
    const err = record[key] as { stack?: unknown } | undefined
    if (err !== null && typeof err === 'object' && typeof err.stack === 'string') (out[key] as Record<string, unknown>).stack = printableStack(err.stack)
  }
  return out
}

function walk (value: unknown, depth: number): unknown {
  if (typeof value === 'string') return jsonSafe(value)
  if (value === null || typeof value !== 'object' || depth > 64) return value
  if (Array.isArray(value)) return value.map(v => walk(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value)) {
    Object.defineProperty(out, printable(k), { value: walk((value as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

/**
 * pino-pretty's formatter (from its `prettyFactory`) for records that may hold anything a client
 * sent: see {@link printableRecord}.
 */
export function printablePretty (format: (record: object) => string, messageKey = 'msg', errorKey = 'err'): (record: Record<string, unknown>) => string {
  return record => format(printableRecord(record, messageKey, errorKey))
}
