export { createLogger, type CuratorLogger } from './app/create-logger.js'
export type { CreateLoggerOptions, ConsoleOptions, DatabaseOptions, RateLimitOptions } from './app/logger-config.js'
export { runWithContext, bindContext, getContext, clearContext, type LogContext } from './app/context.js'
export { RateLimiter, type RateLimiterOptions, type RateLimitMode } from './app/rate-limiter.js'
export {
  Sanitizer, sanitizeDict, sanitizeForLogging, cleanString, SENSITIVE_KEYS, VALUE_PATTERNS, REDACTED,
  type SanitizerOptions, type PatternRule
} from './sanitizer/index.js'
export { migrate, loadMigrations, type Migration, type MigrateResult, type SqlClient } from './database/migrate.js'
export { logTarget, type LogTarget } from './core/identifiers.js'
export type { TransportOptions } from './core/transport-options.js'
export type { TransportStats } from './core/transport-stats.js'
export { runInContext, enterContext, bindUser } from './app/context.js'
export { pinoHttpLogLevel, requestContext, requestErrorHandler, type RequestContextOptions } from './app/http/request-context.js'
export { clientIp, compileTrust, type TrustFunction, type TrustProxy } from './app/http/request-info.js'
export { UNLIMITED } from './app/unlimited.js'
export {
  timedOperation, apiEndpoint, databaseQuery, batchOperation, PerformanceMonitor, setTimingLogger,
  timingSummary, resetTimingSummary, logTimingSummary, type TimingOptions, type TimingWrapper, type BatchOptions, type OperationSummary
} from './app/timing/index.js'
/**
 * Errors curator-log throws carry a stable `code` from {@link ERROR_CODES} (`CURATOR_LOG_ERR_*`): match on
 * it, not on the message. Option mistakes are {@link OptionError}s, TypeErrors that name the option
 * (`option`), the value given (`value`) and what is accepted; docs/api.md, Errors, lists every code.
 */
export {
  ERROR_CODES, isCuratorLogError, OptionError, UnknownLevelError, ConnectionStringError, CuratorLogError, CuratorLogTypeError,
  type ErrorCode, type CuratorLogErrorFor
} from './core/errors.js'
