const NEEDS_CLEANING = /[\0\uD800-\uDFFF]/

/** NUL is refused by PostgreSQL text and jsonb, and lone surrogates by jsonb: both become U+FFFD. */
export function cleanString (s: string): string {
  if (!NEEDS_CLEANING.test(s)) return s
  return s.replace(/\0/g, '\uFFFD').toWellFormed()
}

/** Assigns without invoking the `__proto__` setter, so hostile keys stay plain data. */
export function setField (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}

/**
 * `name`, or `name#2`, `name#3`… when the object has it already: keys that sanitize alike (two emails,
 * two long keys cut to the same 256 characters), or a time the worker keeps beside a logged field of
 * that name, keep both values instead of the last one.
 */
export function freeKey (obj: Record<string, unknown>, name: string): string {
  if (!Object.hasOwn(obj, name)) return name
  let i = 2
  while (Object.hasOwn(obj, `${name}#${i}`)) i++
  return `${name}#${i}`
}

export function errorFields (err: Error): Record<string, unknown> {
  return { ...err, type: err.name, message: err.message, stack: err.stack }
}

/**
 * A Buffer as it arrives in a JSON line: pino writes it as { "type": "Buffer", "data": [bytes] }, shown
 * by its length only. Nothing else is taken for bytes: a Uint8Array reaches the line as
 * { "0": byte, "1": byte, … }, the same text as a logged object with index keys ({ 0: 12, 1: 7 }), so
 * such an object is kept as logged.
 */
export function serializedBinary (value: object): string | undefined {
  const v = value as { type?: unknown, data?: unknown }
  if (v.type !== 'Buffer' || !Array.isArray(v.data) || Object.keys(v).length !== 2) return undefined
  for (const b of v.data) if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return undefined
  return `[Buffer ${v.data.length} bytes]`
}
