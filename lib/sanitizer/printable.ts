// Everything a terminal or a line-splitting reader may act on: C0 (with \n, \r, ESC), DEL, C1, the
// Unicode line and paragraph separators, and the invisible characters that reorder or hide text on
// screen (zero-width spaces and joiners, bidi marks, embeddings, overrides and isolates: "Trojan
// Source" text).
const INVISIBLE = '\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff'
const CONTROL = new RegExp(`[\u0000-\u001f\u007f-\u009f\u2028\u2029${INVISIBLE}]`)
const CONTROL_ALL = new RegExp(CONTROL.source, 'g')
// What JSON.stringify leaves as it is: it escapes C0 but not DEL, C1, U+2028/2029 or the invisible ones.
const UNESCAPED_BY_JSON = new RegExp(`[\u007f-\u009f\u2028\u2029${INVISIBLE}]`)
const UNESCAPED_BY_JSON_ALL = new RegExp(UNESCAPED_BY_JSON.source, 'g')
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

/**
 * A JSON line (or any JSON string value) with the characters JSON.stringify leaves raw written as
 * `\uXXXX` escapes: the same JSON to a parser, nothing a terminal acts on.
 */
export function jsonSafe (s: string): string {
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
    // pino-pretty copies the top level with `plain[key] = value`, where a `__proto__` field would
    // vanish: it is shown quoted, as JSON writes it.
    Object.defineProperty(out, depth === 0 && k === '__proto__' ? '"__proto__"' : printable(k), { value: walk((value as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true })
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
