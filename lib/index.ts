export { migrate, loadMigrations, type Migration, type MigrateResult } from './migrate.js'
export { logTarget, type LogTarget } from './identifiers.js'
export {
  Sanitizer, sanitizeDict, sanitizeForLogging, cleanString, SENSITIVE_KEYS, VALUE_PATTERNS, REDACTED,
  type SanitizerOptions, type PatternRule
} from './sanitizer/index.js'
export type { TransportOptions, TransportStats } from '../transport/index.js'
