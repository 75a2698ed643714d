/**
 * The errors curator-log throws, each with a stable `code` (as Node's `ERR_*` and Fastify's `FST_ERR_*`):
 * match on the code, never on the message, whose wording may improve. Option mistakes stay TypeErrors,
 * as they always were, so `instanceof TypeError` keeps working. docs/api.md lists each code with its fix.
 */

/** Every code curator-log's own errors carry. (Errors PostgreSQL reports keep its SQLSTATE as `code`.) */
export const ERROR_CODES = {
  /** An option has the wrong type: a string where a number goes, an array where an object goes, ... */
  OPTION_TYPE: 'CURATOR_LOG_ERR_OPTION_TYPE',
  /** A numeric option is outside its range, or not an integer where one is needed. */
  OPTION_RANGE: 'CURATOR_LOG_ERR_OPTION_RANGE',
  /** An option has the right type but a value that is not accepted (a name, a choice, a format). */
  OPTION_VALUE: 'CURATOR_LOG_ERR_OPTION_VALUE',
  /** Two options that cannot go together. */
  OPTION_CONFLICT: 'CURATOR_LOG_ERR_OPTION_CONFLICT',
  /** An option name that is not one (a misspelling would otherwise do nothing). */
  OPTION_UNKNOWN: 'CURATOR_LOG_ERR_OPTION_UNKNOWN',
  /** A level name that is not a level of this logger (pino's, or its customLevels). */
  UNKNOWN_LEVEL: 'CURATOR_LOG_ERR_UNKNOWN_LEVEL',
  /** A sanitize pattern the linear-time engine (RE2 syntax) cannot compile. */
  BAD_PATTERN: 'CURATOR_LOG_ERR_BAD_PATTERN',
  /** A connection string that is neither a URL nor libpq keyword/value pairs; the message never quotes it. */
  BAD_CONNECTION_STRING: 'CURATOR_LOG_ERR_BAD_CONNECTION_STRING',
  /** A timing helper given something that is not a function, or a decorator put on something not a method. */
  TIMING_TARGET: 'CURATOR_LOG_ERR_TIMING_TARGET',
  /** `PerformanceMonitor.stop()` before `start()` (or twice). */
  MONITOR_NOT_STARTED: 'CURATOR_LOG_ERR_MONITOR_NOT_STARTED',
  /** `logger.flush(cb)` found lines not yet committed or spilled after FLUSH_TIMEOUT_MS (a stalled database); they stay queued. */
  FLUSH_TIMEOUT: 'CURATOR_LOG_ERR_FLUSH_TIMEOUT',
  /** flush or transportStats asked a transport worker that is not running or exited before answering. */
  WORKER_UNAVAILABLE: 'CURATOR_LOG_ERR_WORKER_UNAVAILABLE'
} as const

export type ErrorCode = typeof ERROR_CODES[keyof typeof ERROR_CODES]

const PREFIX = 'curator-log: '
const CODES = new Set<string>(Object.values(ERROR_CODES))

type OptionCode = typeof ERROR_CODES[ 'OPTION_TYPE' | 'OPTION_RANGE' | 'OPTION_VALUE' | 'OPTION_CONFLICT' | 'OPTION_UNKNOWN' | 'BAD_PATTERN']

/** The class of the errors that carry `C`, so a check by code gives their fields (`option`, `known`). */
export type CuratorLogErrorFor<C extends ErrorCode> =
  C extends typeof ERROR_CODES.UNKNOWN_LEVEL ? UnknownLevelError
    : C extends OptionCode ? OptionError
      : C extends typeof ERROR_CODES.BAD_CONNECTION_STRING ? ConnectionStringError
        : C extends typeof ERROR_CODES.TIMING_TARGET ? CuratorLogTypeError
          : CuratorLogError

/** Whether `err` is one of curator-log's own errors with this code; narrows it to the class that carries the code. */
export function isCuratorLogError<C extends ErrorCode> (err: unknown, code: C): err is CuratorLogErrorFor<C>
/** Whether `err` is one of curator-log's own errors. */
export function isCuratorLogError (err: unknown): err is Error & { code: ErrorCode }
export function isCuratorLogError (err: unknown, code?: ErrorCode): boolean {
  const c = (err as { code?: unknown } | null)?.code
  return err instanceof Error && typeof c === 'string' && CODES.has(c) && (code === undefined || c === code)
}

/** The message without the `curator-log: ` every message starts with, for output that names the tool already. */
export function bareMessage (err: Error): string {
  return err.message.startsWith(PREFIX) ? err.message.slice(PREFIX.length) : err.message
}

/** A failure that is not about an option (a worker gone, a monitor never started). */
export class CuratorLogError extends Error {
  readonly code: ErrorCode

  constructor (code: ErrorCode, message: string, options?: ErrorOptions) {
    super(PREFIX + message, options)
    this.code = code
  }
}

/** A misuse of the API that JavaScript itself would call a TypeError (a timing helper on a non-function). */
export class CuratorLogTypeError extends TypeError {
  readonly code: ErrorCode

  constructor (code: ErrorCode, message: string, options?: ErrorOptions) {
    super(PREFIX + message, options)
    this.code = code
  }
}

/**
 * An option that cannot be used: `option` is its path as the caller wrote it (`database.batchRows`,
 * `sanitize.patterns[1]`, `LOG_PRETTY`), `value` what was given, and the message says what is accepted.
 */
export class OptionError extends TypeError {
  readonly code: ErrorCode
  /** The option's path, e.g. `database.sanitize.maxDepth`. */
  readonly option: string
  /** The message after the option's name: ` must be ..., got ...`. */
  readonly detail: string
  /** The value given. */
  readonly value?: unknown

  constructor (code: ErrorCode, option: string, detail: string, value?: unknown, options?: ErrorOptions) {
    super(PREFIX + option + detail, options)
    this.code = code
    this.option = option
    this.detail = detail
    this.value = value
  }

  /** The same fault named from an enclosing option: `database` + `sanitize.maxDepth` is `database.sanitize.maxDepth`. */
  within (parent: string): OptionError {
    return new OptionError(this.code, `${parent}.${this.option}`, this.detail, this.value, { cause: this })
  }
}

/** A level name that is not a level of the logger; `known` lists those that are. */
export class UnknownLevelError extends OptionError {
  readonly known: readonly string[]

  constructor (option: string, value: unknown, known: readonly string[], options?: ErrorOptions) {
    super(ERROR_CODES.UNKNOWN_LEVEL, option, ` ${JSON.stringify(value)} is not a level of this logger; known: ${known.join(', ')}`, value, options)
    this.known = known
  }

  override within (parent: string): UnknownLevelError {
    return new UnknownLevelError(`${parent}.${this.option}`, this.value, this.known, { cause: this })
  }
}

/** A connection string that is neither a URL nor libpq keyword/value pairs. Its message never contains the string. */
export class ConnectionStringError extends TypeError {
  readonly code = ERROR_CODES.BAD_CONNECTION_STRING
  constructor () {
    super(PREFIX + 'the connection string is not valid: use postgres://user:password@host:port/database or host=… port=… dbname=… user=…')
  }
}
