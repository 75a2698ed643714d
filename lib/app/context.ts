import { AsyncLocalStorage } from 'node:async_hooks'
import { setField } from '../sanitizer/values.js'

/** Fields merged into every line logged while they are in scope. */
export type LogContext = Record<string, unknown>

const storage = new AsyncLocalStorage<LogContext>()
// Kept on the store under a symbol (invisible to keys, spreads' owners and JSON): how far the store
// has got with logging. A copy made by a spread carries its parent's, which the owner check ignores.
const MEMBERS = Symbol('curator-log.members')

interface Members {
  owner: LogContext
  /** The fields as JSON members, once the store has logged more than one line. */
  text?: string
}

type Store = LogContext & { [MEMBERS]?: Members }

/**
 * Runs `fn` with its own context: the current one plus `ctx`. Everything `fn` starts, across await,
 * timers, promise chains and event callbacks, sees this context and not another request's.
 */
export function runWithContext<T> (ctx: LogContext, fn: () => T): T {
  return storage.run(copyFields(copyFields({}, storage.getStore()), ctx), fn)
}

/**
 * Adds fields to the current context. Inside {@link runWithContext} they hold for the rest of that
 * scope only (a request's middleware and handlers); outside any scope, for the current async chain.
 */
export function bindContext (kv: LogContext): void {
  const store = storage.getStore()
  if (store) {
    copyFields(store, kv)
    forget(store)
  } else storage.enterWith(copyFields({}, kv))
}

/** A copy of the current context. */
export function getContext (): LogContext {
  return copyFields({}, storage.getStore())
}

/**
 * Copies own fields as data. Context often comes from parsed input (a request body), where a key named
 * `__proto__` must stay a field: assigned, it would replace the target's prototype and lend the
 * context inherited fields (a forged user_id) that every `for…in` reader would log.
 */
export function copyFields<T extends object> (target: T, source: object | undefined): T {
  if (source === undefined || source === null) return target
  for (const key of Object.keys(source)) setField(target as LogContext, key, (source as LogContext)[key])
  return target
}

/** Removes every field from the current context. */
export function clearContext (): void {
  const store = storage.getStore()
  if (!store) return
  for (const key of Object.keys(store)) delete store[key]
  forget(store)
}

function forget (store: Store): void {
  if (store[MEMBERS] !== undefined) store[MEMBERS] = undefined
}

/**
 * How a line logged now receives the current context:
 * - `none`: no context is in scope;
 * - `object`: the store's first line; the fields are merged as an object through pino's mixin (most
 *   stores, one per request, log one line, and pino writes an object's fields straight into the line);
 * - `members`: a later line; the fields are JSON members (`"k":v,…`), serialized by the second line
 *   and reused by every later one, which {@link serializedContext} returns for the stream hook.
 */
export type ContextRoute = 'none' | 'object' | 'members'

/** The {@link ContextRoute} of a line logged now; `serialize(store, arg)` runs once per store, on its second line. */
export function routeContextForLine<A> (serialize: (store: LogContext, arg: A) => string, arg: A): ContextRoute {
  const store: Store | undefined = storage.getStore()
  if (store === undefined) return 'none'
  const members = store[MEMBERS]
  if (members === undefined || members.owner !== store) {
    store[MEMBERS] = { owner: store }
    return 'object'
  }
  members.text ??= serialize(store, arg)
  return 'members'
}

/** The current store's fields as JSON members, once {@link routeContextForLine} has serialized them. */
export function serializedContext (): string | undefined {
  const members = (storage.getStore() as Store | undefined)?.[MEMBERS]
  return members?.text
}

/** The live context object, or undefined (no copy): change it only through bindContext and clearContext. */
export function currentContext (): LogContext | undefined {
  return storage.getStore()
}

/** Runs `fn` inside exactly this context object (no copy), so later binds to it are seen. */
export function runInContext<T> (store: LogContext, fn: () => T): T {
  return storage.run(store, fn)
}

/** Makes a copy of `ctx` the context for the rest of this execution and what it starts (framework hooks). */
export function enterContext (ctx: LogContext): LogContext {
  const store = copyFields({}, ctx)
  storage.enterWith(store)
  return store
}

/** Binds the authenticated user to the rest of the request: lands in user_id, username in context. */
export function bindUser (user: { user_id?: string | number, id?: string | number, username?: string }): void {
  const id = user.user_id ?? user.id
  bindContext({ ...(id !== undefined ? { user_id: id } : {}), ...(user.username !== undefined ? { username: user.username } : {}) })
}
