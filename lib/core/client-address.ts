// The one form of a client address that every HTTP path stores in ip_address: requestContext and the
// Fastify plugin on the app thread, and the worker for Fastify's and pino-http's `req.remoteAddress`.
// A dual-stack server sees an IPv4 client as `::ffff:127.0.0.1`; stored as written, one client would
// have two addresses depending on which integration logged it.
import { isIP } from 'node:net'

const V4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/
const V6_PORT = /^\[([0-9A-Fa-f:.]+)\]:\d{1,5}$/
const MAPPED_PREFIX = '::ffff:'
// WHATWG's serialization of a mapped address: lowercase, zeros compressed, the IPv4 part as two hex groups.
const MAPPED_CANONICAL = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/

/**
 * A client address as stored: without the port of an `ip:port` or `[ip6]:port` entry, and an
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::FFFF:127.0.0.1`, `::ffff:7f00:1`,
 * `0:0:0:0:0:ffff:7f00:1`) as its IPv4 address. Anything else (another IPv6 address, `unknown`) is
 * returned as given.
 */
export function clientAddress (addr: string): string {
  const bare = V4_PORT.exec(addr)?.[1] ?? V6_PORT.exec(addr)?.[1] ?? addr
  // The form Node gives a socket on a dual-stack server, without building a URL for every request.
  if (bare.startsWith(MAPPED_PREFIX) && isIP(bare.slice(MAPPED_PREFIX.length)) === 4) return bare.slice(MAPPED_PREFIX.length)
  return /ffff/i.test(bare) && isIP(bare) === 6 ? mappedIPv4(bare) ?? bare : bare
}

/** The IPv4 address of any spelling of a mapped address; the URL parser validates and canonicalizes IPv6. */
function mappedIPv4 (ip6: string): string | undefined {
  let host: string
  try {
    host = new URL(`http://[${ip6}]/`).hostname
  } catch {
    return undefined // a zone id (`fe80::1%eth0`), which URLs do not take
  }
  const m = MAPPED_CANONICAL.exec(host)
  if (!m) return undefined
  const hi = parseInt(m[1], 16)
  const lo = parseInt(m[2], 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}
