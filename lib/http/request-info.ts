import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/**
 * Which proxies may speak for the client through X-Forwarded-For: a number of hops in front of the
 * server, or the addresses of the proxies. Without it the header is ignored.
 */
export type TrustProxy = number | string[]

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The client address. X-Forwarded-For is read right to left, and only as far as the trusted proxies
 * reach: a client can prepend anything to the header, but cannot make a trusted proxy append it.
 */
export function clientIp (req: IncomingMessage, trustProxy?: TrustProxy): string | undefined {
  const socketIp = peer(req.socket)
  if (trustProxy === undefined || trustProxy === 0 || (Array.isArray(trustProxy) && trustProxy.length === 0)) return socketIp
  const header = req.headers['x-forwarded-for']
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map(s => normalize(s.trim())).filter((s): s is string => !!s)
  const chain = [...forwarded, ...(socketIp ? [socketIp] : [])]
  if (typeof trustProxy === 'number') {
    // The last `trustProxy` entries are our proxies; the one before them is the client.
    return chain[Math.max(0, chain.length - 1 - trustProxy)]
  }
  const trusted = new Set(trustProxy.map(normalize))
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!trusted.has(chain[i])) return chain[i]
  }
  return chain[0]
}

const kPeer = Symbol('curator-log.peer')

/** The socket's remote address, normalized once per connection (keep-alive serves many requests). */
function peer (socket: (IncomingMessage['socket'] & { [kPeer]?: string | null }) | undefined): string | undefined {
  if (!socket) return undefined
  let ip = socket[kPeer]
  if (ip === undefined) {
    ip = normalize(socket.remoteAddress) ?? null
    // Not yet known (a socket still connecting) is not cached.
    if (ip !== null) socket[kPeer] = ip
  }
  return ip ?? undefined
}

function normalize (ip: string | undefined): string | undefined {
  if (!ip) return undefined
  const v4mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  return isIP(v4mapped) ? v4mapped : undefined
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
  const q = url.search(/[?#]/)
  return q === -1 ? url : url.slice(0, q)
}

/** The query parameters as an object (repeated keys become arrays). */
export function queryOf (url: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  const q = url?.indexOf('?') ?? -1
  if (q === -1) return out
  for (const [k, v] of new URLSearchParams(url!.slice(q + 1))) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
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
