import type { LevelWithSilentOrString } from 'pino'
import { boolean, conflict, envFlag as flag, everyKey, finiteNumber, invalid, knownKeys, nonEmptyString, object } from '../core/validate.js'
import { ERROR_CODES } from '../core/errors.js'
import { databaseSource } from '../core/connection.js'
import type { TransportOptions } from '../core/transport-options.js'
import type { RateLimiterOptions } from './rate-limiter.js'

/** Console output settings. */
export interface ConsoleOptions {
  /** Lowest level printed. Default: the logger's level. Env: LOG_CONSOLE_LEVEL. */
  level?: LevelWithSilentOrString
  /** pino-pretty instead of JSON lines. Default: stdout is a TTY and NODE_ENV is not production. Env: LOG_PRETTY. */
  pretty?: boolean
}

/** Database output settings: the transport's options plus the lowest level stored. */
export interface DatabaseOptions extends TransportOptions {
  /** Lowest level stored. Default: the logger's level. Env: LOG_DATABASE_LEVEL. */
  level?: LevelWithSilentOrString
}

/** Rate limiting of the logger, applied on the app thread before a line is serialized. */
export interface RateLimitOptions extends RateLimiterOptions {
  /** Apply the limit to error and fatal too. Default false: they are never dropped. */
  limitErrors?: boolean
  /** How often a warn line reports what was suppressed. Default 10 000. */
  reportIntervalMs?: number
}

/** Everything createLogger sets up. Environment variables, where named, override these. */
export interface CreateLoggerOptions {
  /** The logger's name (the `logger` column). */
  name?: string
  /** Lowest level logged. Default `info`. Env: LOG_LEVEL. */
  level?: LevelWithSilentOrString
  /** Console output, or false for none. Env: LOG_CONSOLE=false turns it off. */
  console?: ConsoleOptions | false
  /**
   * PostgreSQL output, or false for none. Where to: `connectionString`, else DATABASE_URL, else the PG*
   * variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD). With none of them the logger warns once
   * and logs to the console only. Env: LOG_DATABASE=false turns it off.
   * @throws {OptionError} CURATOR_LOG_ERR_OPTION_CONFLICT when the console is off too: the logger would write nowhere.
   */
  database?: DatabaseOptions | false
  /** Rate limiting, or false for none. Default: 100 lines/s per level and message template. */
  rateLimit?: RateLimitOptions | false
  /** On SIGTERM, SIGINT, SIGHUP and SIGQUIT, commit or spill every line, then let the signal end the process. Default true. */
  handleSignals?: boolean
  /** Log uncaught exceptions and unhandled rejections at fatal before the process dies. Default true. */
  handleExceptions?: boolean
  /**
   * Further pino options (redact, serializers, customLevels, mixin, hooks, ...). With redact, serializers,
   * formatters.log or mixinMergeStrategy every line gets the context through pino's mixin, so they see
   * it; otherwise only a context's first line does, and later ones reuse it serialized, written first.
   */
  pino?: import('pino').LoggerOptions
  /** @internal The transport module, for tests that load it from source. Default: curator-log/transport, as built beside this file. */
  transportTarget?: string
  /**
   * Environment to read DATABASE_URL, the PG* variables and the LOG_* overrides from. Default process.env.
   * pg, in the worker, reads the values of the PG* variables from process.env: here they only count
   * towards whether a database is configured.
   */
  env?: Record<string, string | undefined>
}

export interface LoggerPlan {
  level: string
  /** Where each level came from (`LOG_LEVEL`, `level`, `console.level`, ...), to name it in an error. */
  levelFrom: string
  console: { level: string, levelFrom: string, pretty: boolean } | false
  database: (DatabaseOptions & { level: string, levelFrom: string }) | false
  /** Why the database output is off when it was not turned off on purpose. */
  databaseMissing: boolean
}

const LOGGER_KEYS = everyKey<CreateLoggerOptions>()(['name', 'level', 'console', 'database', 'rateLimit', 'handleSignals', 'handleExceptions', 'pino', 'transportTarget', 'env'])
// Accepted, never listed to users: it is @internal.
const INTERNAL_LOGGER_KEYS = ['transportTarget']
const PUBLIC_LOGGER_KEYS = LOGGER_KEYS.filter(k => !INTERNAL_LOGGER_KEYS.includes(k))
const CONSOLE_KEYS = everyKey<ConsoleOptions>()(['level', 'pretty'])
const RATE_LIMIT_KEYS = everyKey<RateLimitOptions>()(['maxPerSecond', 'burst', 'mode', 'limitErrors', 'reportIntervalMs'])

/** An object, or false for "none". */
function objectOrFalse (option: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === false) return undefined
  return object(option, value, 'an object or false')
}

/**
 * createLogger's own options: their names (a misspelling throws OPTION_UNKNOWN instead of doing
 * nothing) and types. The database options are the transport's, checked by its own validator.
 * @throws {OptionError}
 */
function checkLoggerOptions (o: CreateLoggerOptions): void {
  object('createLogger options', o)
  knownKeys('', o, PUBLIC_LOGGER_KEYS, INTERNAL_LOGGER_KEYS)
  if (o.name !== undefined && typeof o.name !== 'string') throw invalid(ERROR_CODES.OPTION_TYPE, 'name', 'a string', o.name)
  if (o.level !== undefined) nonEmptyString('level', o.level)
  const c = objectOrFalse('console', o.console)
  if (c) {
    knownKeys('console', c, CONSOLE_KEYS)
    if (c.level !== undefined) nonEmptyString('console.level', c.level)
    if (c.pretty !== undefined) boolean('console.pretty', c.pretty)
  }
  objectOrFalse('database', o.database)
  const r = objectOrFalse('rateLimit', o.rateLimit)
  if (r) {
    knownKeys('rateLimit', r, RATE_LIMIT_KEYS)
    if (r.limitErrors !== undefined) boolean('rateLimit.limitErrors', r.limitErrors)
    if (r.reportIntervalMs !== undefined) finiteNumber('rateLimit.reportIntervalMs', r.reportIntervalMs, { above: 0 })
  }
  for (const key of ['handleSignals', 'handleExceptions'] as const) if (o[key] !== undefined) boolean(key, o[key])
  if (o.pino !== undefined && object('pino', o.pino).level !== undefined) {
    throw conflict('pino.level', ': the logger\'s level is createLogger\'s own level option (or LOG_LEVEL); set it there')
  }
  if (o.env !== undefined) object('env', o.env)
  if (o.console === false && o.database === false) throw conflict('database', ': false needs a console output (console is false too: the logger would write nowhere)')
}

/** Options and environment, resolved into the outputs to build. */
export function planLogger (o: CreateLoggerOptions, isTTY: boolean): LoggerPlan {
  checkLoggerOptions(o)
  const env = o.env ?? process.env
  const level = env.LOG_LEVEL || o.level || 'info'
  const levelFrom = env.LOG_LEVEL ? 'LOG_LEVEL' : 'level'
  let console: LoggerPlan['console'] = false
  if (o.console !== false && flag('LOG_CONSOLE', env.LOG_CONSOLE) !== false) {
    const c = o.console ?? {}
    console = {
      level: env.LOG_CONSOLE_LEVEL || c.level || level,
      levelFrom: env.LOG_CONSOLE_LEVEL ? 'LOG_CONSOLE_LEVEL' : c.level ? 'console.level' : levelFrom,
      pretty: flag('LOG_PRETTY', env.LOG_PRETTY) ?? c.pretty ?? (isTTY && env.NODE_ENV !== 'production')
    }
  }
  let database: LoggerPlan['database'] = false
  let databaseMissing = false
  if (o.database !== false && flag('LOG_DATABASE', env.LOG_DATABASE) !== false) {
    const d = o.database ?? {}
    const source = databaseSource(d.connectionString, env)
    const levelOf = env.LOG_DATABASE_LEVEL ? 'LOG_DATABASE_LEVEL' : d.level ? 'database.level' : levelFrom
    if (source) database = { ...d, ...source, level: env.LOG_DATABASE_LEVEL || d.level || level, levelFrom: levelOf }
    else databaseMissing = true
  }
  // pino would write every line to nowhere without a word: like both outputs set to false, a mistake.
  if (!console && !database) {
    const [option, off] = o.console === false ? ['console', ': false'] : ['LOG_CONSOLE', `=${env.LOG_CONSOLE}`]
    throw conflict(option, off + (databaseMissing
      ? ' needs a database, and none is configured (set DATABASE_URL, the PG* variables or database.connectionString): the logger would write nowhere'
      : ` needs a database output, and ${o.database === false ? 'database: false' : `LOG_DATABASE=${env.LOG_DATABASE}`} turns it off: the logger would write nowhere`))
  }
  return { level, levelFrom, console, database, databaseMissing }
}
