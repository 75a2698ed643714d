import { Sanitizer } from './sanitizer.js'

export { Sanitizer, cleanString, REDACTED, MAX_DEPTH_EXCEEDED, type SanitizerOptions } from './sanitizer.js'
export { SENSITIVE_KEYS } from './sensitive-keys.js'
export { VALUE_PATTERNS, type PatternRule } from './value-patterns.js'

let defaultSanitizer: Sanitizer | undefined
function shared (): Sanitizer {
  defaultSanitizer ??= new Sanitizer()
  return defaultSanitizer
}

/** The reference design's sanitize_dict: a sanitized copy of `data` with the default rules. */
export function sanitizeDict (data: Record<string, unknown> | null | undefined, maxDepth = 5): Record<string, unknown> {
  return shared().sanitizeObject(data, maxDepth)
}

/** The reference design's sanitize_for_logging: any value, sanitized with the default rules. */
export function sanitizeForLogging (value: unknown, maxDepth = 5): unknown {
  return shared().sanitize(value, maxDepth)
}
