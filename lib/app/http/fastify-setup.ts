import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import pino, { type Level, type Logger } from 'pino'
import { pathOf } from './request-info.js'
import { requestTrace } from './trace-context.js'

type Generator = ((req: unknown) => string) & { name: string }
// Fastify 4 before 4.x lacks some of these: each is checked before use.
type Instance = Omit<FastifyInstance, 'genReqId' | 'setGenReqId'> & {
  genReqId?: Generator
  setGenReqId?: (fn: (req: unknown) => string) => unknown
}

const FASTIFY_DEFAULT_ID = /^req-[0-9a-z]+$/

/**
 * Replaces Fastify's per-process counter (`req-1`, `req-2`, … in every instance alike) by UUIDs,
 * unless the app gave its own `genReqId`. Fastify keeps only the built generator: its default is a
 * function named `defaultGenReqId`; with `requestIdHeader` it is wrapped, and the wrapper is asked
 * once, with no headers, whether it answers in the default's `req-<n>` form.
 */
export function useUuidRequestIds (fastify: FastifyInstance): void {
  const f = fastify as unknown as Instance
  const current = f.genReqId
  if (typeof f.setGenReqId !== 'function' || typeof current !== 'function') return
  let isDefault = current.name === 'defaultGenReqId'
  if (!isDefault && current.name === '' && fastify.initialConfig.requestIdHeader) {
    try {
      isDefault = FASTIFY_DEFAULT_ID.test(String(current({ headers: {} })))
    } catch {
      // The app's own generator, which wants a real request.
    }
  }
  if (isDefault) f.setGenReqId(() => randomUUID())
}

/**
 * Binds the request id, method, path, user agent and (with `traceContext`) trace ids to each
 * request's child logger (`request.log`), so that Fastify's own lines carry them: its "incoming
 * request" line comes before any hook has run, and its "request completed" line after the last,
 * outside the request's context.
 */
export function requestBindings (fastify: FastifyInstance, traceContext: boolean): void {
  const inner = fastify.childLoggerFactory
  if (typeof fastify.setChildLoggerFactory !== 'function' || typeof inner !== 'function') return
  const label = (fastify.initialConfig as { requestIdLogLabel?: string }).requestIdLogLabel ?? 'reqId'
  fastify.setChildLoggerFactory(function (logger, bindings, opts, rawReq) {
    return inner.call(this, logger, { ...bindings, ...ownBindings(bindings[label], rawReq, traceContext) }, opts, rawReq)
  })
}

function ownBindings (id: unknown, raw: IncomingMessage, traceContext: boolean): Record<string, unknown> {
  const own = { request_id: id, method: raw.method, path: pathOf(raw.url), user_agent: raw.headers['user-agent'] }
  return traceContext ? { ...own, ...requestTrace(raw.headers) } : own
}

/**
 * A request for an unknown route gets its child logger from the 404 handler's factory, which Fastify
 * fixed when that handler was set (the default one before any plugin ran): Fastify's "not found" and
 * "request completed" lines lacked the method and path of requestBindings. Only 404s pay for this.
 */
export function bindNotFound (request: FastifyRequest, reply: FastifyReply, traceContext: boolean): void {
  if (request.is404 !== true) return
  const log = request.log as unknown as Logger
  if (typeof log.bindings !== 'function' || 'path' in log.bindings()) return
  const child = log.child(ownBindings(request.id, request.raw, traceContext))
  request.log = child
  reply.log = child
}

const streamSym = pino.symbols.streamSym as unknown as string

/**
 * Whether Fastify writes its own "request completed" line for this request to the plugin's output:
 * its request logging is on for the request, its logger writes info, and writes where ours does.
 */
export function fastifyLogsCompletion (fastify: FastifyInstance, request: FastifyRequest, logger: Logger): boolean {
  const log = request.log as unknown as Logger
  if (typeof log.isLevelEnabled !== 'function' || !log.isLevelEnabled('info')) return false
  if ((log as unknown as Record<string, unknown>)[streamSym] !== (logger as unknown as Record<string, unknown>)[streamSym]) return false
  const controller = logController(fastify)
  if (controller) return !controller.isLogDisabled(request)
  const disabled = (fastify.initialConfig as { disableRequestLogging?: boolean | ((req: unknown) => boolean) }).disableRequestLogging
  return typeof disabled === 'function' ? !disabled(request) : disabled !== true
}

/** Fastify >= 5.12 decides request logging in its LogController (the option may replace it). */
function logController (fastify: FastifyInstance): { isLogDisabled (req: unknown): boolean } | undefined {
  const sym = Object.getOwnPropertySymbols(fastify).find(s => s.description === 'fastify.logController')
  const c = sym === undefined ? undefined : (fastify as unknown as Record<symbol, { isLogDisabled?: unknown }>)[sym]
  return typeof c?.isLogDisabled === 'function' ? c as { isLogDisabled (req: unknown): boolean } : undefined
}

const FASTIFY_COMPLETION = 'request completed'

/**
 * Fastify writes its "request completed" line on `reply.log` at info whatever the status (after the
 * onResponse hooks): when that line is the request's completion line, this sends it to `level`, the
 * level the plugin's own line would have had. Only that line: others on `reply.log` keep theirs.
 */
export function fastifyCompletionAt (reply: FastifyReply, level: Level): void {
  const log = reply.log as Logger
  const shim = Object.create(log) as Logger
  shim.info = function (this: Logger, obj: unknown, ...rest: unknown[]) {
    const line = obj as { res?: unknown } | null
    const target = line?.res === reply && rest[0] === FASTIFY_COMPLETION ? log[level] : log.info
    return (target as (...args: unknown[]) => void).call(log, obj, ...rest)
  } as Logger['info']
  // pino's child() is Object.create(this): a child of the shim would inherit its info and write
  // with the parent's bindings, losing its own (a later hook's reply.log.child({...}).info()).
  shim.child = log.child.bind(log)
  reply.log = shim as FastifyReply['log']
}
