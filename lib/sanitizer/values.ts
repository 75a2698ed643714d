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

/**
 * Bytes as they arrive in a JSON line: pino writes a Buffer as { type: 'Buffer', data: [bytes] } and
 * a Uint8Array as { "0": byte, "1": byte, … }. Either is shown by its length only.
 */
export function serializedBinary (value: object): string | undefined {
  const v = value as { type?: unknown, data?: unknown }
  if (v.type === 'Buffer' && Array.isArray(v.data) && Object.keys(v).length === 2) {
    return `[Buffer ${v.data.length} bytes]`
  }
  if (!Object.hasOwn(v, '0') || Array.isArray(v)) return undefined
  // Index keys come first, in ascending order: a byte array's keys are exactly 0..n-1.
  const keys = Object.keys(v)
  for (let i = 0; i < keys.length; i++) {
    const b = (v as Record<string, unknown>)[keys[i]!]
    if (keys[i] !== String(i) || typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return undefined
  }
  return `[binary ${keys.length} bytes]`
}
