import { ERROR_CODES, OptionError } from './errors.js'
import { type LogTarget, logTarget } from './identifiers.js'
import { boolean, conflict, everyKey, integer, invalid, knownKeys, nonEmptyString, object, oneOf } from './validate.js'
import type { SanitizerOptions } from '../sanitizer/sanitizer.js'

/**
 * The console output of the transport: the same sanitized lines that go to PostgreSQL, printed by
 * the worker, so that what a log collector reads from stdout has had the same rules applied.
 */
export interface ConsoleOutputOptions {
  /** pino-pretty lines (control characters escaped) instead of JSON lines. Default false. */
  pretty?: boolean
  /** Lowest level printed, a name or a number. Default: every line the transport receives. */
  level?: string | number
  /** File descriptor written to. Default 1 (stdout). */
  destination?: number
  /** Colours in pretty lines. Default: the destination is a terminal. */
  colorize?: boolean
  /** Further pino-pretty options, plain data (createLogger passes its messageKey, levels, time key). */
  prettyOptions?: Record<string, unknown>
}

/**
 * Options of `curator-log/transport`. They cross into the worker thread by structured clone, so
 * they are plain data: no functions, no RegExp objects (patterns are strings).
 */
export interface TransportOptions {
  /** PostgreSQL URL. Default: `DATABASE_URL`, else the PG* variables as pg reads them. */
  connectionString?: string
  /** Schema of the log table. Default `public`. */
  schema?: string
  /** Log table. Default `system_logs`. */
  table?: string
  /** Rows per COPY at most. Default 5000. */
  batchRows?: number
  /** Bytes per COPY at most (a batch closes once it reaches this). Default 4 MiB. */
  batchBytes?: number
  /**
   * COPY connections loading batches side by side: while one commits, the next batch is already
   * loading. From 1 to 4. Default 2.
   */
  copyConnections?: number
  /** A batch that is not full is sent after this long. Default 500. */
  flushIntervalMs?: number
  /** Memory for rows waiting to be loaded; past it rows are spilled to disk. Default 32 MiB. */
  maxQueueBytes?: number
  /** First retry delay after a failure; doubles up to retryMaxMs, with jitter. Default 100. */
  retryBaseMs?: number
  /** Longest retry delay. Default 5000. */
  retryMaxMs?: number
  /**
   * Time that closing may take to commit what is left before spilling it, in ms. At this deadline a
   * COPY, COMMIT or connect that has not returned is abandoned (cancel request, socket destroyed) and
   * its rows are spilled. Default 6000, which leaves the spilling, the worker's exit and a loaded
   * machine 4 s of thread-stream's 10 s end() budget. At most {@link MAX_CLOSE_TIMEOUT_MS} (7000):
   * a larger value throws an OptionError (CURATOR_LOG_ERR_OPTION_RANGE), since past it the exit path
   * would give up before the rows are spilled (docs/transport.md).
   */
  closeTimeoutMs?: number
  /**
   * Directory for spill and dead-letter files, or false to disable spilling. Default
   * `<tmpdir>/curator-log/<appName>/<target>`, where `<target>` is a hash of host:port, database,
   * schema and table, so services sharing a host never share spill files.
   */
  spillDir?: string | false
  /** Names the spill directory and the pg application_name. Default `curator-log`. */
  appName?: string
  /** Longest message, error message and stack trace kept, in characters. Default 65536. */
  maxMessageLength?: number
  /** pino's messageKey. Default `msg`. */
  messageKey?: string
  /** pino's errorKey. Default `err`. */
  errorKey?: string
  /** The key of the line's time, as pino's timestamp function writes it. Default `time`. */
  timeKey?: string
  /** Whether a numeric time counts milliseconds (pino's default) or seconds (pino.stdTimeFunctions.unixTime). Default `ms`. */
  timeUnit?: 'ms' | 's'
  /** pino's nestedKey: the call's fields sit under this key, and are mapped as if they were not. Default none. */
  nestedKey?: string
  /** Custom levels (name to number), as given to pino's customLevels. */
  levels?: Record<string, number>
  /**
   * Sanitizer rules and caps (docs/privacy.md). The worker cannot throw into the app: an invalid rule or
   * cap is written once to stderr and left out (a cap takes its default); createLogger throws instead.
   */
  sanitize?: SanitizerOptions
  /**
   * Also print each line, after sanitizing, as a JSON line or a pino-pretty line: the console gets
   * the same rules as the table. Default false (PostgreSQL only).
   */
  console?: ConsoleOutputOptions | false
  /** false: print to the console only, with no database (needs `console`). Default true. */
  database?: boolean
  /** Lowest level stored, a name or a number; lower lines are only printed. Default: every line received. */
  databaseLevel?: string | number
  /**
   * Partition maintenance from the worker: on start and every maintenanceIntervalMs, under an
   * advisory lock, make the coming months' partitions and drop those past retention. Needs the
   * owner role; turn it off to run under a role that may only insert. Default true.
   */
  maintenance?: boolean
  /** Default 3 600 000 (hourly). */
  maintenanceIntervalMs?: number
  /** Months of partitions kept ahead of the current one. Default 3. */
  monthsAhead?: number
  /** Partitions entirely older than this many days are dropped; 0 keeps everything. Default 90. */
  retentionDays?: number
  /** Detach expired partitions (kept as tables) instead of dropping them. Default false. */
  detachExpired?: boolean
  /** @internal The worker's clock, for tests run in-process (a function does not cross to a worker). */
  now?: () => number
  /** @internal Bytes after which a spill segment is sealed and a new one begun. Default 16 MiB; tests set it small. */
  spillSegmentBytes?: number
}

/** Every key of {@link TransportOptions}, for the unknown-key check. */
export const TRANSPORT_OPTION_KEYS = everyKey<TransportOptions>()([
  'connectionString', 'schema', 'table', 'batchRows', 'batchBytes', 'copyConnections', 'flushIntervalMs', 'maxQueueBytes',
  'retryBaseMs', 'retryMaxMs', 'closeTimeoutMs', 'spillDir', 'appName', 'maxMessageLength', 'messageKey', 'errorKey', 'timeKey',
  'timeUnit', 'nestedKey', 'levels', 'sanitize', 'console', 'database', 'databaseLevel', 'maintenance', 'maintenanceIntervalMs',
  'monthsAhead', 'retentionDays', 'detachExpired', 'now', 'spillSegmentBytes'
])
/** The @internal ones, accepted but left out of the list an unknown option's error shows. */
export const INTERNAL_TRANSPORT_KEYS: readonly string[] = ['now', 'spillSegmentBytes']
/** What a user may set, as an unknown option's error lists them. */
export const PUBLIC_TRANSPORT_KEYS = TRANSPORT_OPTION_KEYS.filter(k => !INTERNAL_TRANSPORT_KEYS.includes(k))
// What pino.transport (pinoWillSendConfig) and thread-stream ($context: the logger's messageKey,
// errorKey, …) add to a target's options.
const UNLISTED = [...INTERNAL_TRANSPORT_KEYS, '$context', 'pinoWillSendConfig']
/** Every key of {@link ConsoleOutputOptions}. */
export const CONSOLE_OUTPUT_KEYS = everyKey<ConsoleOutputOptions>()(['pretty', 'level', 'destination', 'colorize', 'prettyOptions'])

export interface ResolvedOptions extends Required<Omit<TransportOptions, 'connectionString' | 'spillDir' | 'sanitize' | 'levels' | 'schema' | 'table' | 'now' | 'nestedKey' | 'console' | 'databaseLevel'>> {
  nestedKey: string | undefined
  console: ConsoleOutputOptions | false
  databaseLevel: string | number | undefined
  now: () => number
  connectionString: string | undefined
  /** undefined: the default directory, which depends on the connection target. */
  spillDir: string | false | undefined
  sanitize: SanitizerOptions
  levels: Record<string, number>
  target: LogTarget
}

/**
 * The largest closeTimeoutMs. thread-stream's end() (which process.exit, SIGTERM and close() all go
 * through) gives the worker 10 s; after the deadline the worker still spills, closes its connections
 * (up to 1 s) and exits, measured at up to 2 s with the table locked on two loaded cores, and 1 s is
 * kept for a machine slower still. With 10 000 every row was lost, with 9 500 end() gave up (docs/transport.md).
 */
export const MAX_CLOSE_TIMEOUT_MS = 7000

function int (name: string, value: unknown, fallback: number, min: number): number {
  return value === undefined ? fallback : integer(name, value, { min })
}

function str (name: string, value: unknown, fallback: string): string {
  return value === undefined ? fallback : nonEmptyString(name, value)
}

/** Validates options and fills in defaults; every mistake is an OptionError (a TypeError) that names the option. */
export function resolveOptions (o: TransportOptions = {}): ResolvedOptions {
  object('transport options', o)
  knownKeys('', o, PUBLIC_TRANSPORT_KEYS, UNLISTED)
  if (o.console !== undefined && o.console !== false) knownKeys('console', object('console', o.console, 'an object or false'), CONSOLE_OUTPUT_KEYS)
  const appName = str('appName', o.appName, 'curator-log')
  if (!/^[\w.-]+$/.test(appName)) throw invalid(ERROR_CODES.OPTION_VALUE, 'appName', 'letters, digits, _, . and - only', appName)
  if (o.spillDir !== undefined && o.spillDir !== false && (typeof o.spillDir !== 'string' || o.spillDir === '')) {
    throw invalid(ERROR_CODES.OPTION_TYPE, 'spillDir', 'a directory path or false', o.spillDir)
  }
  // Never quoted: it may hold a password.
  if (o.connectionString !== undefined && typeof o.connectionString !== 'string') {
    throw new OptionError(ERROR_CODES.OPTION_TYPE, 'connectionString', ` must be a string, got ${typeof o.connectionString}`)
  }
  if (o.levels !== undefined) object('levels', o.levels, 'an object of level name to number')
  if (o.database === false && !o.console) throw conflict('database', ': false needs a console output')
  if (o.databaseLevel !== undefined && typeof o.databaseLevel !== 'string' && typeof o.databaseLevel !== 'number') {
    throw invalid(ERROR_CODES.OPTION_TYPE, 'databaseLevel', 'a level name or number', o.databaseLevel)
  }
  for (const flag of ['maintenance', 'detachExpired', 'database'] as const) {
    if (o[flag] !== undefined) boolean(flag, o[flag])
  }
  if (o.timeUnit !== undefined) oneOf('timeUnit', o.timeUnit, ['ms', 's'])
  const retryBaseMs = int('retryBaseMs', o.retryBaseMs, 100, 1)
  return {
    connectionString: o.connectionString,
    target: logTarget(o.schema, o.table),
    batchRows: int('batchRows', o.batchRows, 5000, 1),
    batchBytes: int('batchBytes', o.batchBytes, 4 << 20, 1024),
    flushIntervalMs: int('flushIntervalMs', o.flushIntervalMs, 500, 1),
    copyConnections: o.copyConnections === undefined ? 2 : integer('copyConnections', o.copyConnections, { min: 1, max: 4 }),
    maxQueueBytes: int('maxQueueBytes', o.maxQueueBytes, 32 << 20, 1024),
    retryBaseMs,
    retryMaxMs: int('retryMaxMs', o.retryMaxMs, 5000, retryBaseMs),
    closeTimeoutMs: o.closeTimeoutMs === undefined ? 6000 : integer('closeTimeoutMs', o.closeTimeoutMs, { min: 0, max: MAX_CLOSE_TIMEOUT_MS }),
    spillDir: o.spillDir,
    appName,
    maxMessageLength: int('maxMessageLength', o.maxMessageLength, 65536, 64),
    messageKey: str('messageKey', o.messageKey, 'msg'),
    errorKey: str('errorKey', o.errorKey, 'err'),
    timeKey: str('timeKey', o.timeKey, 'time'),
    timeUnit: o.timeUnit ?? 'ms',
    nestedKey: o.nestedKey === undefined ? undefined : str('nestedKey', o.nestedKey, ''),
    levels: o.levels ?? {},
    sanitize: o.sanitize ?? {},
    console: o.console ?? false,
    database: o.database ?? true,
    databaseLevel: o.databaseLevel,
    maintenance: o.maintenance ?? true,
    maintenanceIntervalMs: int('maintenanceIntervalMs', o.maintenanceIntervalMs, 3_600_000, 0),
    monthsAhead: int('monthsAhead', o.monthsAhead, 3, 0),
    retentionDays: int('retentionDays', o.retentionDays, 90, 0),
    detachExpired: o.detachExpired ?? false,
    now: typeof o.now === 'function' ? o.now : Date.now,
    spillSegmentBytes: int('spillSegmentBytes', o.spillSegmentBytes, 16 << 20, 1024)
  }
}
