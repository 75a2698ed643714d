import { AsyncLocalStorage } from 'node:async_hooks'

/** Fields merged into every line logged while they are in scope. */
export type LogContext = Record<string, unknown>

const storage = new AsyncLocalStorage<LogContext>()
// Each store's fields as JSON members, made when the store first logs and dropped when it changes.
const fragments = new WeakMap<LogContext, string>()

/**
 * Runs `fn` with its own context: the current one plus `ctx`. Everything `fn` starts, across await,
 * timers, promise chains and event callbacks, sees this context and not another request's.
 */
export function runWithContext<T> (ctx: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...ctx }, fn)
}

/**
 * Adds fields to the current context. Inside {@link runWithContext} they hold for the rest of that
 * scope only (a request's middleware and handlers); outside any scope, for the current async chain.
 */
export function bindContext (kv: LogContext): void {
  const store = storage.getStore()
  if (store) {
    Object.assign(store, kv)
    fragments.delete(store)
  } else storage.enterWith({ ...kv })
}

/** A copy of the current context. */
export function getContext (): LogContext {
  return { ...storage.getStore() }
}

/** Removes every field from the current context. */
export function clearContext (): void {
  const store = storage.getStore()
  if (!store) return
  for (const key of Object.keys(store)) delete store[key]
  fragments.delete(store)
}

/**
 * The current context as JSON members (`"k":v,…`, no braces; '' when empty), serialized once per
 * context and reused by every line logged in it.
 */
export function contextMembers (): string {
  const store = storage.getStore()
  if (store === undefined) return ''
  let members = fragments.get(store)
  if (members === undefined) {
    members = serializeMembers(store)
    fragments.set(store, members)
  }
  return members
}

function serializeMembers (store: LogContext): string {
  let json: string
  try {
    json = JSON.stringify(store)
  } catch {
    // BigInt or a cycle somewhere: the fields that serialize are kept, the others logged as text.
    const safe: LogContext = {}
    for (const key of Object.keys(store)) {
      try {
        JSON.stringify(store[key])
        safe[key] = store[key]
      } catch {
        safe[key] = String(store[key])
      }
    }
    json = JSON.stringify(safe)
  }
  return json.slice(1, -1)
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
  const store = { ...ctx }
  storage.enterWith(store)
  return store
}

/** Binds the authenticated user to the rest of the request: lands in user_id, username in context. */
export function bindUser (user: { user_id?: string | number, id?: string | number, username?: string }): void {
  const id = user.user_id ?? user.id
  bindContext({ ...(id !== undefined ? { user_id: id } : {}), ...(user.username !== undefined ? { username: user.username } : {}) })
}
