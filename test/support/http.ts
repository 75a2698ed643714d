import { once } from 'node:events'
import type { Server } from 'node:http'
import type { Test } from 'tap'

/** Listens on a free loopback port; closed when the test ends. */
export async function listen (t: Test, server: Server): Promise<string> {
  // A loaded machine accepts slowly and lets sockets idle: 1 000 concurrent requests overflowed the
  // default backlog (511), and a keep-alive socket the server closed after 5 s idle met fetch's next
  // request (read ECONNRESET).
  server.keepAliveTimeout = 60_000
  server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 })
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as { port: number }
  return `http://127.0.0.1:${port}`
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
