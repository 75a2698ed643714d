import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http'
import type { Level, Logger } from 'pino'
import { currentContext, runInContext, type LogContext } from '../context.js'
import { ERROR_CODES, OptionError, UnknownLevelError } from '../../core/errors.js'
import { everyKey, finiteNumber, integer, knownKeys, nonEmptyString, stringList } from '../../core/validate.js'
import { UNLIMITED } from '../unlimited.js'
import { PARSE_LIMIT, bodyForLog } from './body.js'
import { type TrustProxy, clientIp, compileTrust, pathOf, queryOf, requestId, safeHeaders } from './request-info.js'
import { type TraceContextOptions, requestTrace } from './trace-context.js'

/** Options of {@link requestContext} and the Fastify plugin. */
export interface RequestContextOptions extends TraceContextOptions {
  /** The logger the request lines go to (createLogger's, or any pino logger). */
  logger: Logger
  /** Proxies trusted to set X-Forwarded-For, as Express's `trust proxy` (see {@link TrustProxy}). Default: none. */
  trustProxy?: TrustProxy
  /** Use an incoming X-Request-ID (when short and of safe characters). Default false. */
  trustRequestId?: boolean
  /** Header carrying the request id, in and out. Default `x-request-id`. */
  requestIdHeader?: string
  /**
   * A request that has a trace id (see `traceContext`) and no trusted incoming request id takes its
   * trace id as request id, instead of a fresh UUID. Default false: request_id and trace_id are
   * separate columns, and a trace spans many requests.
   */
  requestIdFromTrace?: boolean
  /** Paths that get context but no request log lines. Default `['/health']`. */
  excludePaths?: string[]
  /** Completed requests slower than this are logged at warn. Default 1000. */
  slowThresholdMs?: number
  /** Level of the "request started" line. Default `debug`. */
  startLevel?: Level
  /** Log request headers (credentials redacted) on the "request started" line, at `startLevel`. Default false. */
  logHeaders?: boolean
  /** Log query parameters on the "request started" line, at `startLevel`. Default false. */
  logQuery?: boolean
  /** Log `req.body` as parsed by the application's body parser. Default false. */
  logRequestBody?: boolean
  /** Log the response body as written. Default false. */
  logResponseBody?: boolean
  /**
   * Characters kept of each logged body, cut field by field. JSON and form bodies are logged as
   * objects, so the sanitizer's key rules apply to their fields. Default 10 000.
   */
  maxBodySize?: number
}

type Next = (err?: unknown) => void
const kState = Symbol('curator-log.request')

interface RequestState { store: LogContext, start: number, path: string, excluded: boolean, body?: Uint8Array[], bodySize?: number }

export { bodyForLog } from './body.js'

/**
 * The checks both the middleware and the Fastify plugin make, when they are set up rather than at the
 * first request: a logger to write to, and options of the types documented.
 * @throws {OptionError} naming the option.
 */
export function checkRequestOptions (options: Partial<RequestContextOptions>, who: string, keys: readonly string[] = REQUEST_CONTEXT_KEYS): void {
  knownKeys('', options, keys)
  const { logger } = options
  // Not quoted: a logger-like object is large and may hold anything.
  if (typeof (logger as Logger | null)?.info !== 'function') throw new OptionError(ERROR_CODES.OPTION_TYPE, 'logger', ` must be a pino logger (${who} needs a logger), got ${logger === null ? 'null' : typeof logger}`, logger)
  if (options.slowThresholdMs !== undefined) finiteNumber('slowThresholdMs', options.slowThresholdMs, { min: 0 })
  if (options.maxBodySize !== undefined) integer('maxBodySize', options.maxBodySize, { min: 0 })
  if (options.excludePaths !== undefined) stringList('excludePaths', options.excludePaths)
  if (options.requestIdHeader !== undefined) nonEmptyString('requestIdHeader', options.requestIdHeader)
  if (options.startLevel !== undefined && typeof (logger as unknown as Record<string, unknown>)[options.startLevel] !== 'function') {
    throw new UnknownLevelError('startLevel', options.startLevel, Object.keys((logger as Logger).levels?.values ?? {}))
  }
}

/** Every key of {@link RequestContextOptions}, for the unknown-key check. */
export const REQUEST_CONTEXT_KEYS = everyKey<RequestContextOptions>()([
  'logger', 'trustProxy', 'trustRequestId', 'requestIdHeader', 'requestIdFromTrace', 'excludePaths', 'slowThresholdMs', 'startLevel',
  'logHeaders', 'logQuery', 'logRequestBody', 'logResponseBody', 'maxBodySize', 'traceContext'
])

/** The documented level of a request's completion line: error for a 5xx, warn for a 4xx or a slow request, else info. */
export function completionLevel (status: number, ms: number, slowMs: number): Level {
  return status >= 500 ? 'error' : status >= 400 || ms > slowMs ? 'warn' : 'info'
}

/**
 * pino-http's `customLogLevel`, so that its completion line takes the level requestContext gives its
 * own: error for a 5xx or a failed response, warn for a 4xx or a request the client aborted, info
 * otherwise. pino-http's default writes every completion line at `useLevel` (info), a 500 and an
 * abort included. pino-http does not pass the response time, so a slow request stays at info.
 * @example pinoHttp({ logger, customLogLevel: pinoHttpLogLevel })
 */
export function pinoHttpLogLevel (req: IncomingMessage, res: ServerResponse, err?: Error): Level {
  if (err) return 'error'
  // pino-http also asks for its "request received" line, when nothing has been sent yet either: an
  // abort is a response left unended on a connection that has gone.
  if (req.readableAborted || (!res.writableEnded && (res.destroyed || req.destroyed))) return 'warn'
  return completionLevel(res.statusCode, 0, Infinity)
}

/**
 * Request correlation middleware for node:http, Express and Connect: a request id, the client and
 * the route in the context of everything the request does, timing headers, and start, completion
 * and abort lines.
 */
export function requestContext (options: RequestContextOptions): (req: IncomingMessage, res: ServerResponse, next?: Next) => void {
  checkRequestOptions(options, 'requestContext')
  const { logger } = options
  const header = (options.requestIdHeader ?? 'x-request-id').toLowerCase()
  const exclude = new Set(options.excludePaths ?? ['/health'])
  const slowMs = options.slowThresholdMs ?? 1000
  const maxBody = options.maxBodySize ?? 10_000
  const bodyLimit = Math.max(maxBody, PARSE_LIMIT)
  const startLevel = options.startLevel ?? 'debug'
  const trust = compileTrust(options.trustProxy)

  function logEnd (req: IncomingMessage, res: ServerResponse, state: RequestState): void {
    const ms = performance.now() - state.start
    const path = state.path
    if (!res.writableFinished) {
      logger.warn({ [UNLIMITED]: true, duration_ms: ms }, `request aborted by the client: ${req.method} ${path}`)
      return
    }
    const fields: Record<string | symbol, unknown> = { status_code: res.statusCode, duration_ms: ms, [UNLIMITED]: true }
    const reqBody = (req as { body?: unknown }).body
    if (options.logRequestBody && reqBody !== undefined) fields.request_body = bodyForLog(reqBody, req.headers['content-type'], maxBody)
    if (state.body) fields.response_body = bodyForLog(Buffer.concat(state.body), res.getHeader('content-type'), maxBody, state.bodySize! > bodyLimit)
    logger[completionLevel(res.statusCode, ms, slowMs)](fields, `request completed: ${req.method} ${path}`)
  }

  function onClose (this: ServerResponse): void {
    const req = this.req
    const state = (req as unknown as Record<symbol, RequestState>)[kState]
    // 'close' is emitted in the request's scope already when the response was ended there (its
    // socket write started there), as it nearly always is: a second AsyncLocalStorage run would cost
    // as much as the request's own. Elsewhere (ended from another scope) the request's is restored.
    if (currentContext() === state.store) logEnd(req, this, state)
    else runInContext(state.store, () => logEnd(req, this, state))
  }

  return function curatorLogRequestContext (req, res, next) {
    const start = performance.now()
    const trace = options.traceContext === false ? undefined : requestTrace(req.headers)
    const id = requestId(req, options.trustRequestId === true, header, options.requestIdFromTrace === true ? trace?.trace_id as string | undefined : undefined)
    const path = pathOf(req.url)
    const ctx: LogContext = { request_id: id, method: req.method, path, ip_address: clientIp(req, trust), user_agent: req.headers['user-agent'] }
    if (trace !== undefined) Object.assign(ctx, trace)
    res.setHeader(header, id)
    // The request's own context object: the outer one's fields copied in when there is one.
    const outer = currentContext()
    const store = outer === undefined ? ctx : { ...outer, ...ctx }
    runInContext(store, () => {
      const state: RequestState = { store, start, path, excluded: exclude.has(path) }
      ;(req as unknown as Record<symbol, RequestState>)[kState] = state
      timingHeader(res, start)
      if (!state.excluded) {
        if (logger.isLevelEnabled(startLevel)) {
          const extra: Record<string | symbol, unknown> = { [UNLIMITED]: true }
          if (options.logHeaders) extra.headers = safeHeaders(req.headers)
          if (options.logQuery) extra.query = queryOf(req.url)
          logger[startLevel](extra, 'request started')
        }
        if (options.logResponseBody) captureBody(res, state, bodyLimit)
        // One listener: 'close' follows 'finish' on a completed response and comes alone on an aborted
        // one. It comes once, so a plain listener does (without once()'s wrapper); and one function
        // serves every response, which is `this` (no closure per request).
        res.on('close', onClose)
      }
      next?.()
    })
  }
}

/**
 * Express/Connect error middleware: logs the error with its stack and answers JSON if it still can.
 * An error that carries a 4xx `status` or `statusCode` (body-parser's 400 for malformed JSON, an
 * http-errors error) keeps it, is logged at warn, and its message is sent when it is `expose`d, as
 * Express's own handler does; any other error is a 500 whose message stays in the log.
 */
export function requestErrorHandler (options: { logger: Logger }): (err: unknown, req: IncomingMessage, res: ServerResponse, next?: Next) => void {
  return function curatorLogErrorHandler (err, req, res, next) {
    const state = (req as unknown as Record<symbol, RequestState | undefined>)[kState]
    const status = errorStatus(err)
    const log = status < 500
      ? (): void => { options.logger.warn({ [UNLIMITED]: true, err }, 'request failed with a client error') }
      : (): void => { options.logger.error({ [UNLIMITED]: true, err }, 'request failed with an unhandled error') }
    if (state) runInContext(state.store, log)
    else log()
    if (res.headersSent) {
      if (next) next(err)
      else res.destroy(err as Error)
      return
    }
    res.statusCode = status
    res.setHeader('content-type', 'application/json; charset=utf-8')
    const requestId = state?.store.request_id as string | undefined
    res.end(JSON.stringify(status < 500 ? clientErrorBody(status, err, requestId) : errorBody(requestId)))
  }
}

/** The error's own 4xx or 5xx status (`status`, else `statusCode`, as Express reads it), else 500. */
function errorStatus (err: unknown): number {
  const e = err as { status?: unknown, statusCode?: unknown } | null
  const status = e?.status ?? e?.statusCode
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500
}

function clientErrorBody (status: number, err: unknown, requestId: string | undefined): Record<string, unknown> {
  const e = err as { expose?: unknown, message?: unknown } | null
  const message = e?.expose === true && typeof e.message === 'string' ? e.message : STATUS_CODES[status] ?? 'Client error'
  return { ...errorBody(requestId), error_code: status === 400 ? 'BAD_REQUEST' : 'CLIENT_ERROR', message }
}

/** The reference design's 500 body. */
export function errorBody (requestId: string | undefined): Record<string, unknown> {
  return { error_code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred', request_id: requestId ?? 'unknown', timestamp: new Date().toISOString() }
}

export function processingTime (start: number): string {
  return `${(performance.now() - start).toFixed(1)}ms`
}

/** X-Processing-Time must be set before the head goes out, whichever way the app sends it. */
export function timingHeader (res: ServerResponse, start: number): void {
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse) {
    if (!this.headersSent) this.setHeader('x-processing-time', processingTime(start))
    // `arguments` as is: writeHead counts its arguments, and no array is built per response.
    return writeHead.apply(this, arguments as unknown as Parameters<ServerResponse['writeHead']>)
  } as ServerResponse['writeHead']
}

/** Keeps the first `max` bytes written (and counts them all), to be decoded once the response ends. */
function captureBody (res: ServerResponse, state: RequestState, max: number): void {
  state.body = []
  state.bodySize = 0
  const keep = (chunk: unknown, encoding?: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8') : chunk as Uint8Array
    const room = max - state.bodySize!
    state.bodySize! += bytes.byteLength
    if (room > 0) state.body!.push(bytes.byteLength > room ? bytes.subarray(0, room) : bytes)
  }
  const write = res.write
  const end = res.end
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) { keep(chunk, rest[0]); return (write as Function).call(this, chunk, ...rest) } as ServerResponse['write']
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) { keep(chunk, rest[0]); return (end as Function).call(this, chunk, ...rest) } as ServerResponse['end']
}
