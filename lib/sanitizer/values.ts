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

export function errorFields (err: Error): Record<string, unknown> {
  return { ...err, type: err.name, message: err.message, stack: err.stack }
}

/** pino (through JSON.stringify) writes a Buffer as { type: 'Buffer', data: [bytes] }. */
export function serializedBuffer (value: object): string | undefined {
  const v = value as { type?: unknown, data?: unknown }
  if (v.type === 'Buffer' && Array.isArray(v.data) && Object.keys(v).length === 2) {
    return `[Buffer ${v.data.length} bytes]`
  }
  return undefined
}
