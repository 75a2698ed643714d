import type { Level, Logger } from 'pino'
import { CuratorLogTypeError, ERROR_CODES } from '../../core/errors.js'
import { UNLIMITED } from '../unlimited.js'
import { record } from './summary.js'

let defaultLogger: Logger | undefined

/** The logger timing helpers use when none is given (createLogger sets it when it has none yet). */
export function setTimingLogger (logger: Logger | undefined): void {
  defaultLogger = logger
}

export function timingLoggerIsSet (): boolean {
  return defaultLogger !== undefined
}

/** Forgets `logger` as the default (it is closing). */
export function releaseTimingLogger (logger: Logger): void {
  if (defaultLogger === logger) defaultLogger = undefined
}

/** Options common to the timing helpers. */
export interface TimingOptions {
  /** Logged at warn when slower than this. Default: never. */
  warningThresholdMs?: number
  /** Level of a normal completion line. Default `info`. */
  level?: Level
  /** The logger; default the one set by setTimingLogger (createLogger's). */
  logger?: Logger
}

/** How one wrapped call is described: its operation name and the fields added to its lines. */
export interface CallDescription {
  operation: string
  fields?: (args: unknown[], ms: number) => Record<string, unknown>
}

type AnyFn = (this: any, ...args: any[]) => any

/**
 * A wrapper that is also a method decorator of both kinds: `helper(fn)` returns the timed function;
 * `@helper` on a class method replaces the method, as a standard (TC39) decorator and as a legacy one
 * (`experimentalDecorators`, as in NestJS and Angular), where metadata that other decorators left on
 * the method (reflect-metadata's) is copied to the timed one.
 */
export interface TimingWrapper {
  <F extends AnyFn>(fn: F, context?: ClassMethodDecoratorContext): F
  <T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>
}

/** Records one timing in the summary and logs it: error when it failed, warn when slow, else `level`. */
export function logTiming (opts: TimingOptions, operation: string, fields: Record<string, unknown>, ms: number, err?: unknown): void {
  record(operation, ms, err !== undefined)
  const logger = opts.logger ?? defaultLogger
  if (!logger) return
  const line = { [UNLIMITED]: true, ...fields, operation, duration_ms: ms }
  if (err !== undefined) logger.error({ ...line, err }, `operation failed: ${operation}`)
  else if (opts.warningThresholdMs !== undefined && ms > opts.warningThresholdMs) logger.warn({ ...line, warning_threshold_ms: opts.warningThresholdMs }, `slow operation: ${operation}`)
  else logger[opts.level ?? 'info'](line, `operation completed: ${operation}`)
}

function log (opts: TimingOptions, desc: CallDescription, args: unknown[], ms: number, err?: unknown): void {
  logTiming(opts, desc.operation, desc.fields?.(args, ms) ?? {}, ms, err)
}

/** Builds a timing wrapper; `describe` names the operation from the wrapped function's name. */
export function timingWrapper (opts: TimingOptions, describe: (fnName: string) => CallDescription): TimingWrapper {
  function wrap (fn: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
    // Legacy: (prototype or constructor, method name, descriptor).
    if (descriptor !== undefined && (typeof context === 'string' || typeof context === 'symbol')) {
      if (typeof descriptor.value !== 'function') throw new CuratorLogTypeError(ERROR_CODES.TIMING_TARGET, 'a timing decorator goes on a method')
      const timed = timeFunction(descriptor.value, String(context))
      copyMetadata(descriptor.value, timed)
      return { ...descriptor, value: timed }
    }
    if (typeof fn !== 'function') throw new CuratorLogTypeError(ERROR_CODES.TIMING_TARGET, 'a timing helper wraps a function or decorates a method')
    return timeFunction(fn as AnyFn, String((context as ClassMethodDecoratorContext | undefined)?.name ?? fn.name))
  }
  function timeFunction<F extends AnyFn> (fn: F, name: string): F {
    const desc = describe(name || 'anonymous')
    const timed = function (this: unknown, ...args: unknown[]) {
      const start = performance.now()
      let result: unknown
      try {
        result = fn.apply(this, args)
      } catch (err) {
        log(opts, desc, args, performance.now() - start, err)
        throw err
      }
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        return (result as Promise<unknown>).then(value => {
          log(opts, desc, args, performance.now() - start)
          return value
        }, err => {
          log(opts, desc, args, performance.now() - start, err)
          throw err
        })
      }
      log(opts, desc, args, performance.now() - start)
      return result
    }
    Object.defineProperty(timed, 'name', { value: fn.name })
    return timed as F
  }
  return wrap as TimingWrapper
}

type MetadataReflect = typeof Reflect & {
  getOwnMetadataKeys?: (target: object) => unknown[]
  getOwnMetadata?: (key: unknown, target: object) => unknown
  defineMetadata?: (key: unknown, value: unknown, target: object) => void
}

/** Route, guard and other metadata that decorators applied before this one put on the method. */
function copyMetadata (from: object, to: object): void {
  const r = Reflect as MetadataReflect
  if (typeof r.getOwnMetadataKeys !== 'function' || typeof r.defineMetadata !== 'function' || typeof r.getOwnMetadata !== 'function') return
  for (const key of r.getOwnMetadataKeys(from)) r.defineMetadata(key, r.getOwnMetadata(key, from), to)
}
