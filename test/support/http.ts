import { once } from 'node:events'
import type { Server } from 'node:http'
import type { Test } from 'tap'

/** Listens on a free loopback port; closed when the test ends. */
export async function listen (t: Test, server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as { port: number }
  return `http://127.0.0.1:${port}`
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
