import { AsyncResource } from 'node:async_hooks'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { clientAddress } from '../../core/client-address.js'
import { currentContext, runInContext, type LogContext } from '../context.js'
import { UNLIMITED } from '../unlimited.js'
import { bindNotFound, fastifyCompletionAt, fastifyLogsCompletion, requestBindings, useUuidRequestIds } from './fastify-setup.js'
import { pathOf, queryOf, safeHeaders } from './request-info.js'
import { requestTrace } from './trace-context.js'
import { REQUEST_CONTEXT_KEYS, type RequestContextOptions, bodyForLog, checkRequestOptions, completionLevel, errorBody, processingTime } from './request-context.js'

/**
 * Options of the Fastify plugin. The request id is Fastify's (`request.id`): a UUID unless the app
 * set `genReqId`, an incoming header when the app set `requestIdHeader`. The client address is
 * `request.ip` (Fastify's `trustProxy`), stored as requestContext stores it (a mapped IPv4 address as IPv4).
 */
export type FastifyRequestContextOptions = Omit<RequestContextOptions, 'trustProxy' | 'trustRequestId' | 'requestIdHeader' | 'logResponseBody' | 'requestIdFromTrace'>

// Fastify takes trust of proxies and request ids from its own options; `register` may pass its own.
const FASTIFY_OWN = new Set(['trustProxy', 'trustRequestId', 'requestIdHeader', 'logResponseBody', 'requestIdFromTrace'])
const FASTIFY_KEYS = [...REQUEST_CONTEXT_KEYS.filter(k => !FASTIFY_OWN.has(k)), 'prefix', 'logLevel', 'logSerializers']

interface State { store: LogContext, start: number, excluded: boolean, scope: AsyncResource }
const kState = Symbol('curator-log.fastify')

type Req = FastifyRequest & { [kState]?: State }

/**
 * Request correlation for Fastify: context for every hook and handler of the request, X-Request-ID
 * and X-Processing-Time headers, completion and abort lines, and a 500 JSON body for server errors.
 */
function curatorLogFastify (fastify: FastifyInstance, options: FastifyRequestContextOptions, done: (err?: Error) => void): void {
  try {
    checkRequestOptions(options, 'the Fastify plugin', FASTIFY_KEYS)
  } catch (err) {
    return done(err as Error)
  }
  const { logger } = options
  const exclude = new Set(options.excludePaths ?? ['/health'])
  const slowMs = options.slowThresholdMs ?? 1000
  const maxBody = options.maxBodySize ?? 10_000
  useUuidRequestIds(fastify)
  const traceContext = options.traceContext !== false
  requestBindings(fastify, traceContext)

  fastify.addHook('onRequest', (request: Req, reply, next) => {
    bindNotFound(request, reply, traceContext)
    const path = pathOf(request.url)
    const store: LogContext = { request_id: request.id, method: request.method, path, ip_address: typeof request.ip === 'string' ? clientAddress(request.ip) : undefined, user_agent: request.headers['user-agent'] }
    if (traceContext) Object.assign(store, requestTrace(request.headers))
    // run(), not enterWith(): a store entered on the connection's async resource would still be there
    // when the next request on a keep-alive connection starts. The scope carries the store across the
    // body parser, whose events come from the socket (see preValidation).
    runInContext(store, () => {
      request[kState] = { store, start: performance.now(), excluded: exclude.has(path), scope: new AsyncResource('curator-log.request') }
      reply.header('x-request-id', request.id)
      if (!exclude.has(path)) {
        const extra: Record<string | symbol, unknown> = { [UNLIMITED]: true }
        if (options.logHeaders) extra.headers = safeHeaders(request.headers)
        if (options.logQuery) extra.query = queryOf(request.url)
        logger[options.startLevel ?? 'debug'](extra, 'request started')
      }
      next()
    })
  })

  fastify.addHook('preValidation', (request: Req, _reply, next) => {
    const scope = request[kState]?.scope
    if (scope) scope.runInAsyncScope(next)
    else next()
  })

  fastify.addHook('onSend', (request: Req, reply, payload, next) => {
    const state = request[kState]
    if (state) reply.header('x-processing-time', processingTime(state.start))
    next(null, payload)
  })

  fastify.addHook('onResponse', (request: Req, reply, next) => {
    const state = request[kState]
    if (!state || state.excluded) return next()
    const ms = performance.now() - state.start
    const level = completionLevel(reply.statusCode, ms, slowMs)
    // Fastify's own "request completed" line is the request's completion line when it writes one.
    if (fastifyLogsCompletion(fastify, request, logger)) {
      if (level !== 'info') fastifyCompletionAt(reply, level)
    } else {
      runInContext(state.store, () => {
        const fields: Record<string | symbol, unknown> = { [UNLIMITED]: true, status_code: reply.statusCode, duration_ms: ms }
        if (options.logRequestBody && request.body !== undefined) fields.request_body = bodyForLog(request.body, request.headers['content-type'], maxBody)
        logger[level](fields, `request completed: ${request.method} ${pathOf(request.url)}`)
      })
    }
    next()
  })

  fastify.addHook('onRequestAbort', (request: Req, next) => {
    const state = request[kState]
    if (state && !state.excluded) runInContext(state.store, () => logger.warn({ [UNLIMITED]: true, duration_ms: performance.now() - state.start }, `request aborted by the client: ${request.method} ${pathOf(request.url)}`))
    next()
  })

  fastify.setErrorHandler((error: Error & { statusCode?: number }, request: Req, reply: FastifyReply) => {
    const status = error.statusCode ?? 500
    if (status < 500) return reply.send(error)
    runInContext(request[kState]?.store ?? currentContext() ?? {}, () => logger.error({ [UNLIMITED]: true, err: error }, 'request failed with an unhandled error'))
    return reply.code(500).send(errorBody(request.id))
  })

  done()
}

// Like fastify-plugin: the hooks apply to the whole application, not to an encapsulated child.
Object.assign(curatorLogFastify, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'curator-log' })

export default curatorLogFastify
export { curatorLogFastify }
