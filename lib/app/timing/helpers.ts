import { type TimingOptions, type TimingWrapper, timingWrapper } from './timed.js'

/** Times a function or method as the named operation. */
export function timedOperation (name: string, options: TimingOptions = {}): TimingWrapper {
  return timingWrapper(options, () => ({ operation: name }))
}

/** Times an HTTP endpoint handler; the operation is `name`, or the function's name. */
export function apiEndpoint (name?: string, options: TimingOptions = {}): TimingWrapper {
  return timingWrapper(options, fnName => ({ operation: name ?? fnName, fields: () => ({ endpoint: name ?? fnName }) }))
}

/** Times a database call of the given kind (SELECT, INSERT, ...). */
export function databaseQuery (kind: string, options: TimingOptions = {}): TimingWrapper {
  return timingWrapper(options, fnName => ({ operation: `${kind} ${fnName}`, fields: () => ({ query_type: kind }) }))
}

/** Options of batchOperation: how many items a call handles. */
export interface BatchOptions extends TimingOptions {
  /** A number, or a function of the call's arguments (default: the first argument's length). */
  itemCount?: number | ((...args: any[]) => number)
}

/** Times a batch; logs its item count and items per second. */
export function batchOperation (name: string, options: BatchOptions = {}): TimingWrapper {
  const count = (args: unknown[]): number | undefined => {
    const c = options.itemCount
    if (typeof c === 'number') return c
    if (typeof c === 'function') return c(...args)
    const first = args[0] as { length?: unknown } | undefined
    return typeof first?.length === 'number' ? first.length : undefined
  }
  return timingWrapper(options, () => ({
    operation: name,
    fields: (args, ms) => {
      const items = count(args)
      return items === undefined ? {} : { item_count: items, items_per_second: ms > 0 ? Math.round(items / ms * 1000) : null }
    }
  }))
}
