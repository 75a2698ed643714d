import { IncomingMessage, ServerResponse } from 'node:http'
import { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import pino, { type Logger, type LoggerOptions, type TransportTargetOptions } from 'pino'
import { type TransportOptions, resolveOptions } from '../core/transport-options.js'
import type { TransportStats } from '../core/transport-stats.js'
import type { LogContext } from './context.js'
import { chindingsOf, contextHooks, contextMixin } from './context-hooks.js'
import { CuratorLogError, ERROR_CODES, OptionError, UnknownLevelError } from '../core/errors.js'
import { conflict } from '../core/validate.js'
import { connectionConfig } from '../core/connection.js'
import { warnIfUnsupportedNode } from '../core/node-support.js'
import { type EndableStream, handleExceptions, handleSignals } from './exit-handlers.js'
import { type CreateLoggerOptions, type DatabaseOptions, type LoggerPlan, planLogger } from './logger-config.js'
import { transportEntry } from './transport-entry.js'
import { type OutputSettings, outputSettings } from './pino-settings.js'
import { RateLimiter } from './rate-limiter.js'
import { Sanitizer } from '../sanitizer/sanitizer.js'
import { type SuppressionReport, suppressionReport } from './suppression-report.js'
import { UNLIMITED } from './unlimited.js'
import { LateLines } from './late-lines.js'
import { type CoalescableStream, coalesceWrites } from './coalesced-writes.js'
import { releaseTimingLogger, setTimingLogger, timingLoggerIsSet } from './timing/timed.js'
import { type WorkerStream, requestFlush, requestStats, workerNotRunning } from './worker-messages.js'

/**
 * The longest `logger.flush(cb)` waits for the worker to commit or spill every line, in ms: past it the
 * callback gets a CURATOR_LOG_ERR_FLUSH_TIMEOUT error (the 10 s that docs/delivery.md gives every ending path).
 */
export const FLUSH_TIMEOUT_MS = 10_000

/** A pino logger with curator-log's additions; its children (and `bind`) have them too. */
export type CuratorLogger = Logger & {
  /** A child logger whose fields win over the ambient context (pino's child under another name). */
  bind (fields: LogContext): CuratorLogger
  /** The rate limiter, or undefined when rate limiting is off. */
  readonly rateLimiter: RateLimiter | undefined
  /** The database transport's counters, or undefined without a database output. */
  transportStats (): Promise<TransportStats | undefined>
  /**
   * Ends the outputs: every accepted line committed or spilled. Resolves once the worker is gone.
   * Until then the transport stays referenced, even when the application drops the logger: it ends at exit.
   */
  close (): Promise<void>
}

/**
 * A configured pino logger: context from AsyncLocalStorage on every line, rate limiting on the app
 * thread, and one worker thread writing to the console and to PostgreSQL, each line serialized once.
 *
 * @throws {OptionError} (a TypeError, with a `code` from ERROR_CODES) when an option is invalid, naming it
 *   as given here: e.g. `database.batchRows`, or `database.sanitize.patterns[0]` that the linear-time engine
 *   cannot compile. (The plain transport reports a bad sanitize rule once and leaves it out.)
 * @throws {OptionError} CURATOR_LOG_ERR_OPTION_CONFLICT when the logger would write nowhere: the console
 *   off (`console: false` or LOG_CONSOLE=false) and no database, turned off or not configured.
 * @throws {ConnectionStringError} (code `CURATOR_LOG_ERR_BAD_CONNECTION_STRING`) when
 *   `database.connectionString` (or DATABASE_URL) is one pg cannot read, or names a port outside 1–65535;
 *   thrown before any worker starts, its message never quoting the string.
 */
export function createLogger (options: CreateLoggerOptions = {}): CuratorLogger {
  warnIfUnsupportedNode()
  const plan = planLogger(options, Boolean(process.stdout.isTTY))
  const settings = outputSettings(options.pino ?? {})
  // The worker would fail to start, or only report a bad rule and leave it out: here it is still time to throw.
  if (plan.database) checkDatabaseOptions(plan.database)
  // Its options throw here too, before a worker starts that nothing would ever close.
  const limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit)
  // One worker, no multistream: it prints and stores each line itself.
  const output = worker(plan, settings, options.transportTarget)
  const transport = pino.transport({ target: output.target, options: output.options }) as unknown as WorkerStream & NodeJS.WritableStream & EndableStream
  if (transport) hold(transport)
  const late = transport ? new LateLines(transport, (output?.options as TransportOptions | undefined)?.sanitize) : undefined
  const handOver = transport && late ? coalesceWrites(transport as unknown as CoalescableStream, lines => late.refused(lines)) : undefined
  const limitErrors = options.rateLimit !== false && options.rateLimit?.limitErrors === true
  let report: SuppressionReport | undefined
  const userPino = options.pino ?? {}
  const userLogMethod = userPino.hooks?.logMethod
  const userStreamWrite = userPino.hooks?.streamWrite
  // pino's redact, serializers and formatters.log work on the object of each line: with any of them the
  // context goes through the mixin on every line so that they see it (see contextHooks otherwise).
  const viaMixin = userPino.redact !== undefined || userPino.serializers !== undefined || userPino.formatters?.log !== undefined || userPino.mixinMergeStrategy !== undefined
  const context = viaMixin ? undefined : contextHooks(userPino.mixin, userStreamWrite, settings.transport.timeKey)

  const logger = pino({
    ...userPino,
    serializers: withErrorKeys(userPino),
    name: options.name ?? userPino.name,
    level: output.level,
    mixin: context?.mixin ?? contextMixin(userPino.mixin),
    mixinMergeStrategy: context?.mixinMergeStrategy ?? userPino.mixinMergeStrategy,
    hooks: {
      ...userPino.hooks,
      logMethod (args, method, level) {
        if (limiter && report?.writing !== true && (limitErrors || level < 50) && !exempt(args[0]) && !admit(limiter, this, level, args)) return
        return userLogMethod ? userLogMethod.call(this, args, method, level) : method.apply(this, args)
      },
      streamWrite (line: string): string {
        const out = context ? context.streamWrite(line) : userStreamWrite ? userStreamWrite(line) : line
        return late?.active === true ? late.write(out) : out
      }
    }
  }, transport) as CuratorLogger
  if (limiter) report = suppressionReport(limiter, logger, (options.rateLimit || undefined)?.reportIntervalMs ?? 10_000, transport)

  const pinoFlush = logger.flush.bind(logger)
  let closed: Promise<void> | undefined
  Object.defineProperties(logger, {
    rateLimiter: { value: limiter },
    bind: { value: function (this: Logger, fields: LogContext) { return this.child(fields) } },
    flush: {
      value: (cb?: (err?: Error) => void) => {
        let settled = false
        const finish = (err?: Error): void => {
          if (settled) return
          settled = true
          clearTimeout(deadline)
          cb?.(err)
        }
        // A database that stalls (a lock, a server that stopped answering) must not hold the caller
        // forever: the lines stay queued, committed or spilled later (at the latest by the close).
        const deadline = setTimeout(() => {
          finish(new CuratorLogError(ERROR_CODES.FLUSH_TIMEOUT, `flush did not finish within ${FLUSH_TIMEOUT_MS} ms: PostgreSQL is not taking rows; the lines stay queued, to be committed or spilled`))
        }, FLUSH_TIMEOUT_MS)
        pinoFlush(err => {
          // thread-stream's own error once its worker is gone has no code: give it the documented one.
          if (err && (transport?.closed === true || transport?.destroyed === true)) {
            return finish(workerNotRunning(err))
          }
          if (err || !transport) return finish(err)
          requestFlush(transport).then(() => finish(), (e: Error) => finish(e))
        })
      }
    },
    transportStats: {
      value: async () => {
        handOver?.()
        return plan.database && transport ? requestStats(transport) : undefined
      }
    },
    close: {
      value: () => {
        releaseTimingLogger(logger)
        closed ??= new Promise<void>(resolve => {
          if (!transport) return resolve()
          // pino unrefs its worker: this keeps the process up until the worker has finished.
          const alive = setInterval(() => {}, 60_000)
          transport.once('close', () => {
            clearInterval(alive)
            resolve()
          })
          report?.final()
          transport.end()
        })
        return closed
      }
    }
  })

  const removers: Array<() => void> = []
  if (transport && options.handleSignals !== false) {
    // The rate limiter's last report goes in before the signal handler's synchronous flush.
    const ending: EndableStream = {
      end: () => transport.end(),
      flushSync: () => { report?.final(); transport.flushSync() },
      get writableEnded () { return transport.writableEnded },
      once: (e, f) => transport.once(e, f)
    }
    removers.push(handleSignals(ending, cb => logger.flush(cb)))
  }
  if (options.handleExceptions !== false) removers.push(handleExceptions(logger))
  if (removers.length > 0) transport?.once('close', () => { for (const r of removers) r() })

  if (!timingLoggerIsSet()) setTimingLogger(logger)
  if (plan.databaseMissing) {
    logger.warn('curator-log: no database configured (set DATABASE_URL, the PG* variables or database.connectionString); logging to the console only')
  }
  return logger
}

/**
 * Transports not closed yet. Once its worker is ready pino holds the stream only weakly (its exit
 * hook through a WeakRef, and thread-stream terminates the worker of a collected stream): a logger the
 * application drops would be collected and its worker killed without a close, losing the lines it
 * holds. Held here, the stream reaches pino's exit hook, which ends it.
 */
const unclosed = new Set<EndableStream>()

function hold (transport: EndableStream): void {
  unclosed.add(transport)
  transport.once('close', () => unclosed.delete(transport))
}

/** The transport's own checks, run here so that a mistake throws from createLogger, named under `database.`. */
function checkDatabaseOptions ({ level, levelFrom, ...transport }: DatabaseOptions & { levelFrom?: string }): void {
  try {
    resolveOptions(transport)
    // The worker reads the string (or DATABASE_URL) with the same parser; a string it cannot read would
    // only drop every line there.
    if (transport.database !== false) connectionConfig(transport.connectionString)
    new Sanitizer(transport.sanitize) // eslint-disable-line no-new
  } catch (err) {
    throw err instanceof OptionError ? err.within('database') : err
  }
}

/**
 * One worker for both outputs: it sanitizes each line once, then prints it and stores it, so the
 * console gets the same rules as the table (a console-only logger runs it without a database).
 */
function worker (plan: LoggerPlan, settings: OutputSettings, transportTarget?: string): TransportTargetOptions {
  for (const out of [plan, plan.console, plan.database]) {
    if (out && out.level !== 'silent' && !Object.hasOwn(settings.levels, out.level)) {
      throw new UnknownLevelError(out.levelFrom, out.level, Object.keys(settings.levels))
    }
  }
  // The worker splits lines between the outputs by number, in ascending order only.
  if (!settings.ascending && plan.console && plan.database && (plan.console.level !== plan.level || plan.database.level !== plan.level)) {
    throw conflict('pino.levelComparison', ' other than \'ASC\' needs the console and the database at the logger\'s level (levels are compared between outputs in ascending order only)')
  }
  const value = (level: string): number => level === 'silent' ? Infinity : settings.levels[level]
  const options: TransportOptions = { ...settings.transport }
  let lowest = Infinity
  if (plan.database) {
    const { level, levelFrom, ...database } = plan.database
    Object.assign(options, database)
    if (settings.ascending) options.databaseLevel = value(level)
    lowest = value(level)
  } else options.database = false
  if (plan.console) {
    options.console = { pretty: plan.console.pretty, prettyOptions: settings.pretty, ...(settings.ascending ? { level: value(plan.console.level) } : {}) }
    lowest = Math.min(lowest, value(plan.console.level))
  }
  const level = settings.ascending
    ? Object.entries(settings.levels).find(([, n]) => n === lowest)?.[0] ?? 'silent'
    : plan.database ? plan.database.level : (plan.console as { level: string }).level
  return { target: transportTarget ?? transportEntry(), level, options }
}

const loggerNames = new Map<string, string>()

function admit (limiter: RateLimiter, logger: Logger, level: number, args: unknown[]): boolean {
  if (limiter.mode === 'per-logger') {
    const chindings = chindingsOf(logger)
    let name = loggerNames.get(chindings)
    if (name === undefined) {
      name = String(JSON.parse('{' + chindings.slice(1) + '}').name ?? '')
      if (loggerNames.size > 10_000) loggerNames.clear()
      loggerNames.set(chindings, name)
    }
    return limiter.shouldLog(name)
  }
  const first = args[0]
  const template = typeof first === 'string' ? first : typeof args[1] === 'string' ? args[1] : (first as Error | undefined)?.message ?? ''
  return limiter.allow(level, template)
}

/**
 * pino serializes only its errorKey as an error; README promises that `error` fills the error columns
 * too, so it gets the same serializer (without one, pino writes an Error as `{}`).
 */
function withErrorKeys (o: LoggerOptions): LoggerOptions['serializers'] {
  const serializers: NonNullable<LoggerOptions['serializers']> = o.serializers ?? { err: pino.stdSerializers.err }
  const errorKey = o.errorKey ?? 'err'
  const err = serializers[errorKey] ?? serializers.err
  return err === undefined || errorKey === 'error' ? serializers : { error: err, ...serializers }
}

/**
 * Request lines are never rate limited: curator-log's own carry UNLIMITED; those Fastify's logger and
 * pino-http write (incoming, completed) carry the request or response under `req` or `res`, as it is
 * or as Fastify's request or reply around it (`raw`).
 */
function exempt (first: unknown): boolean {
  if (typeof first !== 'object' || first === null) return false
  const fields = first as Record<string | symbol, unknown>
  return fields[UNLIMITED] === true || isHttp(fields.req, IncomingMessage, Http2ServerRequest) || isHttp(fields.res, ServerResponse, Http2ServerResponse)
}

type Kind = abstract new (...args: any[]) => unknown

// On every rate-limited call: no rest array, no closure (a dropped call must stay ten times cheaper than a logged one).
function isHttp (value: unknown, http1: Kind, http2: Kind): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (value instanceof http1 || value instanceof http2) return true
  const raw = (value as { raw?: unknown }).raw
  return raw instanceof http1 || raw instanceof http2
}
