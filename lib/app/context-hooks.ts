import pino, { type Logger, type LoggerOptions } from 'pino'
import { pinoHeadEnd } from '../core/pino-head.js'
import { setField } from '../sanitizer/values.js'
import { lineSpan } from './otel-span.js'
import { copyFields, currentContext, routeContextForLine, serializedContext } from './context.js'

type StreamWrite = (line: string) => string

const chindingsSym = pino.symbols.chindingsSym as unknown as string
const { serializersSym, stringifySafeSym, errorKeySym } = pino.symbols as unknown as Record<string, string>

type Serializer = (value: unknown) => unknown

/** A logger's serialized bindings (`,"k":v…`), as pino keeps them. */
export function chindingsOf (logger: Logger): string {
  return (logger as unknown as Record<string, string>)[chindingsSym] ?? ''
}

// What the mixin returns when the context reaches the line another way; the merge strategy never
// hands it to pino, which would write into it.
const NOTHING: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>

/**
 * The default way the ambient context reaches a line. A context's first line gets the fields through
 * the mixin, as an object pino writes straight into the line (most contexts, one per request, log one
 * line). From its second line on, the fields are serialized once and put first in each line (after
 * pino's level and time), so bound fields and call arguments, which come later, win for any reader that
 * keeps the last of a repeated key (the transport, JSON.parse, jq, pino-pretty).
 */
export function contextHooks (userMixin?: LoggerOptions['mixin'], userStreamWrite?: StreamWrite, timeKey = 'time'): Pick<LoggerOptions, 'mixin' | 'mixinMergeStrategy'> & { streamWrite: StreamWrite } {
  return {
    mixin (obj, level, self) {
      // The logger goes along as an argument: a closure here would be one more allocation per line.
      let own = routeContextForLine(membersAsPino, self as Logger) === 'object' ? ambient(self as Logger) : NOTHING
      // A line written in a child span of the request carries that span's ids (written after the
      // context's, so they win).
      const span = lineSpan()
      if (span !== undefined) own = own === NOTHING ? span : Object.assign(own, span)
      if (!userMixin) return own
      const extra = userMixin(obj, level, self)
      return own === NOTHING ? extra : copyFields(own, extra)
    },
    mixinMergeStrategy (mergeObject, mixinObject) {
      return mixinObject === NOTHING ? mergeObject : copyFields(mixinObject, mergeObject)
    },
    streamWrite (line) {
      const members = serializedContext()
      const out = members === undefined || members === '' ? line : withMembers(line, members, timeKey)
      return userStreamWrite ? userStreamWrite(out) : out
    }
  }
}

/**
 * The line with the context's members after pino's level and time (which must stay first: the
 * transport takes only those as the level and timestamp) and before everything else.
 */
function withMembers (line: string, members: string, timeKey: string): string {
  const at = pinoHeadEnd(line, timeKey)
  if (at < 0) return '{' + members + (line.charCodeAt(1) === 125 ? '' : ',') + line.slice(1)
  return line.slice(0, at) + ',' + members + line.slice(at)
}

/**
 * The context through pino's mixin, for loggers whose redact, serializers or formatters.log must see
 * it: a fresh object per line (pino mutates it), without the keys the logger was bound with.
 */
export function contextMixin (userMixin?: LoggerOptions['mixin']): NonNullable<LoggerOptions['mixin']> {
  return (obj, level, self) => {
    const ctx = ambient(self as Logger)
    const span = lineSpan()
    if (span !== undefined) copyFields(ctx, span)
    return userMixin ? copyFields(ctx, userMixin(obj, level, self)) : ctx
  }
}

// Keys a child logger was bound with, by its serialized bindings: bound fields win over ambient ones.
const boundKeys = new Map<string, Set<string>>()

function keysOf (chindings: string): Set<string> {
  let keys = boundKeys.get(chindings)
  if (keys === undefined) {
    keys = new Set(chindings === '' ? [] : Object.keys(JSON.parse('{' + chindings.slice(1) + '}')))
    if (boundKeys.size > 10_000) boundKeys.clear()
    boundKeys.set(chindings, keys)
  }
  return keys
}

function ambient (logger: Logger): Record<string, unknown> {
  const ctx = currentContext()
  if (ctx === undefined) return {}
  const bound = keysOf(chindingsOf(logger))
  // Most stores share no key with the logger's bindings: a spread copies them in one step (V8 clones
  // the store's shape, where a loop adds field by field). Like setField it defines `__proto__` as a
  // field; it also copies the store's symbol-keyed bookkeeping, which pino never writes.
  if (!sharesKey(ctx, bound)) return { ...ctx }
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(ctx)) if (!bound.has(k)) setField(out, k, ctx[k])
  return out
}

function sharesKey (ctx: Record<string, unknown>, keys: Set<string>): boolean {
  for (const k of keys) if (Object.hasOwn(ctx, k)) return true
  return false
}

/**
 * The fields as JSON members, each written as pino writes a field of the line (its asJson): the
 * logger's serializers by key, non-finite numbers as null, and objects through JSON.stringify, else
 * pino's safe-stable-stringify (cycles as "[Circular]", BigInt as digits). So a context's later lines,
 * which reuse this text, read like its first, whose fields pino wrote itself.
 */
export function membersAsPino (store: Record<string, unknown>, logger: Logger): string {
  const own = logger as unknown as Record<string, unknown>
  const serializers = own[serializersSym] as Record<string, Serializer | undefined>
  const safe = own[stringifySafeSym] as (v: unknown) => string | undefined
  const errorKey = own[errorKeySym] as string
  let out = ''
  for (const key in store) {
    if (!Object.hasOwn(store, key)) continue
    let value = store[key]
    if (value === undefined) continue
    const serializer = serializers[key] ?? (key === errorKey ? serializers.err : undefined)
    if (serializer) value = serializer(value)
    let text: string | undefined
    switch (typeof value) {
      case 'undefined':
      case 'function':
        continue
      case 'number':
        text = Number.isFinite(value) ? String(value) : 'null'
        break
      case 'boolean':
        text = String(value)
        break
      case 'string':
        text = JSON.stringify(value)
        break
      default:
        text = stringifyAsPino(value, safe)
    }
    if (text !== undefined) out += (out === '' ? '' : ',') + JSON.stringify(key) + ':' + text
  }
  return out
}

function stringifyAsPino (value: unknown, safe: (v: unknown) => string | undefined): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    try {
      return safe(value)
    } catch {
      return '"[unable to serialize, circular reference is too complex to analyze]"'
    }
  }
}
