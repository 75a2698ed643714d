/**
 * PostgreSQL COPY text format: one line per row, fields separated by tabs, `\N` for NULL, and
 * backslash escapes for backslash, newline, carriage return and tab.
 */

const SPECIAL = /[\\\n\r\t]/
const SPECIAL_ALL = /[\\\n\r\t]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

export const NULL_FIELD = '\\N'

export function escapeField (s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, c => ESCAPES[c]) : s
}

/**
 * Encodes one row (strings, finite numbers, null) as a COPY line without its newline. Joined, so the
 * line is one flat string: rows wait in the queue, where a tree of pieces would cost the collector.
 */
export function encodeRow (values: readonly (string | number | null)[]): string {
  const fields = new Array<string>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    fields[i] = v === null ? NULL_FIELD : typeof v === 'number' ? String(v) : escapeField(v)
  }
  return fields.join('\t')
}

const UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' }

/** The inverse of {@link encodeRow}: field texts, with null for `\N`. */
export function decodeRow (line: string): (string | null)[] {
  return line.split('\t').map(f => f === NULL_FIELD ? null : f.replace(/\\(.)/g, (_, c: string) => UNESCAPES[c] ?? c))
}
