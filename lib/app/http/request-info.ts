import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import proxyAddr from 'proxy-addr'
import { clientAddress } from '../../core/client-address.js'
import { ERROR_CODES, OptionError } from '../../core/errors.js'
import { integer, invalid } from '../../core/validate.js'
import { setField } from '../../sanitizer/values.js'

/**
 * Which proxies may speak for the client through X-Forwarded-For, with Express's `trust proxy`
 * semantics (the `proxy-addr` package): a number of hops in front of the server; addresses, CIDR
 * subnets or the names `loopback`, `linklocal`, `uniquelocal`, as an array or a comma-separated
 * string; or true to believe the whole header. Without it (or with false or 0) the header is ignored.
 */
export type TrustProxy = number | boolean | string | string[]

/** A compiled trust decision: whether the address `i` hops from the server is a trusted proxy. */
export type TrustFunction = (addr: string, i: number) => boolean

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The trust option compiled once (as Express does at `app.set`). Undefined: the header is ignored.
 * @throws {OptionError} (a TypeError) naming `trustProxy` for a value that is neither of the above, or an address
 *   proxy-addr cannot parse.
 */
export function compileTrust (trustProxy: TrustProxy | undefined): TrustFunction | undefined {
  if (trustProxy === undefined || trustProxy === false || trustProxy === 0) return undefined
  if (trustProxy === true) return () => true
  if (typeof trustProxy === 'number') {
    const hops = integer('trustProxy', trustProxy, { min: 0 })
    return (_addr, i) => i < hops
  }
  const list = typeof trustProxy === 'string' ? trustProxy.split(',').map(s => s.trim()) : trustProxy
  if (!Array.isArray(list) || !list.every(a => typeof a === 'string')) throw invalid(ERROR_CODES.OPTION_TYPE, 'trustProxy', 'a number, a boolean, or proxy addresses', trustProxy)
  if (list.length === 0) return undefined
  try {
    return proxyAddr.compile(list)
  } catch (err) {
    throw new OptionError(ERROR_CODES.OPTION_VALUE, 'trustProxy', `: ${(err as Error).message}`, trustProxy, { cause: err })
  }
}

const compiled = new Map<string, TrustFunction | undefined>()

/**
 * The client address. X-Forwarded-For is read right to left, and only as far as the trusted proxies
 * reach: a client can prepend anything to the header, but cannot make a trusted proxy append it.
 * Every entry counts as a hop, whatever it holds (`unknown`, an address with a port), as in Express;
 * the entry returned is stored as {@link clientAddress} gives it (no port, a mapped IPv4 address as IPv4).
 */
export function clientIp (req: IncomingMessage, trustProxy?: TrustProxy | TrustFunction): string | undefined {
  let trust: TrustFunction | undefined
  if (trustProxy === undefined) return peer(req.socket)
  if (typeof trustProxy === 'function') trust = trustProxy
  else {
    const key = JSON.stringify(trustProxy) ?? ''
    trust = compiled.get(key)
    if (trust === undefined && !compiled.has(key)) {
      trust = compileTrust(trustProxy)
      if (compiled.size > 100) compiled.clear()
      compiled.set(key, trust)
    }
  }
  if (trust === undefined || req.headers['x-forwarded-for'] === undefined) return peer(req.socket)
  return clientAddress(proxyAddr(req, trust))
}

const kPeer = Symbol('curator-log.peer')

/** The socket's remote address, normalized once per connection (keep-alive serves many requests). */
function peer (socket: (IncomingMessage['socket'] & { [kPeer]?: string | null }) | undefined): string | undefined {
  if (!socket) return undefined
  let ip = socket[kPeer]
  if (ip === undefined) {
    ip = socket.remoteAddress ? clientAddress(socket.remoteAddress) : null
    // Not yet known (a socket still connecting) is not cached.
    if (ip !== null) socket[kPeer] = ip
  }
  return ip ?? undefined
}

/** An incoming X-Request-ID when trusted and safe (short, plain characters), else `fallback`, else a fresh UUID. */
export function requestId (req: IncomingMessage, trustIncoming: boolean, header = 'x-request-id', fallback?: string): string {
  if (trustIncoming) {
    const v = req.headers[header]
    if (typeof v === 'string' && SAFE_ID.test(v)) return v
  }
  return fallback ?? randomUUID()
}

/** The path without query string or fragment. */
export function pathOf (url: string | undefined): string {
  if (!url) return '/'
  // Two indexOf, not a regular expression: this runs for every request.
  let end = url.indexOf('?')
  const hash = url.indexOf('#')
  if (hash !== -1 && (end === -1 || hash < end)) end = hash
  return end === -1 ? url : url.slice(0, end)
}

/** The query parameters as an object (repeated keys become arrays). */
export function queryOf (url: string | undefined): Record<string, unknown> {
  const q = url?.indexOf('?') ?? -1
  return q === -1 ? {} : paramsObject(new URLSearchParams(url!.slice(q + 1)))
}

/** Query or form parameters as an object: a repeated name becomes an array, `__proto__` stays data. */
export function paramsObject (params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of params) {
    const prev = Object.hasOwn(out, k) ? out[k] : undefined
    setField(out, k, prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v])
  }
  return out
}

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-access-token', 'authentication'])

/** Headers with credentials replaced by [REDACTED] (the sanitizer in the worker applies its rules too). */
export function safeHeaders (headers: IncomingMessage['headers']): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(headers)) out[k] = SENSITIVE_HEADERS.has(k.toLowerCase()) ? '[REDACTED]' : v
  return out
}
