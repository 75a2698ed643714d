export { createLogger, type CuratorLogger } from './create-logger.js'
export type { CreateLoggerOptions, ConsoleOptions, DatabaseOptions, RateLimitOptions } from './logger-config.js'
export { runWithContext, bindContext, getContext, clearContext, type LogContext } from './context.js'
export { RateLimiter, type RateLimiterOptions, type RateLimitMode } from './rate-limiter.js'
export {
  Sanitizer, sanitizeDict, sanitizeForLogging, cleanString, SENSITIVE_KEYS, VALUE_PATTERNS, REDACTED,
  type SanitizerOptions, type PatternRule
} from './sanitizer/index.js'
export { migrate, loadMigrations, type Migration, type MigrateResult, type SqlClient } from './migrate.js'
export { logTarget, type LogTarget } from './identifiers.js'
export type { TransportOptions, TransportStats } from '../transport/index.js'
export { runInContext, enterContext, bindUser } from './context.js'
export { requestContext, requestErrorHandler, type RequestContextOptions } from './http/request-context.js'
export { clientIp, compileTrust, type TrustFunction, type TrustProxy } from './http/request-info.js'
export { UNLIMITED } from './unlimited.js'
export {
  timedOperation, apiEndpoint, databaseQuery, batchOperation, PerformanceMonitor, setTimingLogger,
  timingSummary, resetTimingSummary, logTimingSummary, type TimingOptions, type TimingWrapper, type BatchOptions, type OperationSummary
} from './timing/index.js'
/**
 * Errors curator-log throws carry a stable `code` from {@link ERROR_CODES} (`CURATOR_LOG_ERR_*`): match on
 * it, not on the message. Option mistakes are {@link OptionError}s, TypeErrors that name the option
 * (`option`), the value given (`value`) and what is accepted; docs/api.md, Errors, lists every code.
 */
export {
  ERROR_CODES, isCuratorLogError, OptionError, UnknownLevelError, ConnectionStringError, CuratorLogError, CuratorLogTypeError,
  type ErrorCode
} from './core/errors.js'
