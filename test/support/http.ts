import { once } from 'node:events'
import type { Server } from 'node:http'
import type { Test } from 'tap'

/**
 * Listens on a free port of `host` (loopback; `::` for a dual-stack server, which sees an IPv4
 * client as `::ffff:127.0.0.1`); closed when the test ends. Resolves with the base URL over 127.0.0.1.
 */
export async function listen (t: Test, server: Server, host = '127.0.0.1'): Promise<string> {
  // A loaded machine accepts slowly and lets sockets idle: 1 000 concurrent requests overflowed the
  // default backlog (511), and a keep-alive socket the server closed after 5 s idle met fetch's next
  // request (read ECONNRESET).
  server.keepAliveTimeout = 60_000
  server.listen({ port: 0, host, backlog: 2048 })
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as { port: number }
  return `http://127.0.0.1:${port}`
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
