import pino, { type Logger, type LoggerOptions } from 'pino'
import { contextMembers, currentContext } from './context.js'

type StreamWrite = (line: string) => string

const chindingsSym = pino.symbols.chindingsSym as unknown as string

/**
 * The default way the ambient context reaches a line: serialized once per context and put first in
 * the line, so bound fields and call arguments, which come later, win for any reader that keeps the
 * last of a repeated key (the transport, jq, pino-pretty).
 */
export function contextFirst (next?: StreamWrite): StreamWrite {
  return line => {
    const members = contextMembers()
    const out = members === '' ? line : '{' + members + (line.charCodeAt(1) === 125 ? '' : ',') + line.slice(1)
    return next ? next(out) : out
  }
}

/**
 * The context through pino's mixin, for loggers whose redact, serializers or formatters.log must see
 * it: a fresh object per line (pino mutates it), without the keys the logger was bound with.
 */
export function contextMixin (userMixin?: LoggerOptions['mixin']): NonNullable<LoggerOptions['mixin']> {
  return (obj, level, self) => {
    const ctx = ambient(self as Logger)
    return userMixin ? Object.assign(ctx, userMixin(obj, level, self)) : ctx
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
  const out: Record<string, unknown> = {}
  const ctx = currentContext()
  if (ctx === undefined) return out
  const bound = keysOf((logger as unknown as Record<string, string>)[chindingsSym] ?? '')
  for (const k in ctx) if (!bound.has(k)) out[k] = ctx[k]
  return out
}
