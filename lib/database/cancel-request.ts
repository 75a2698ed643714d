import { connect } from 'node:net'
import type pg from 'pg'

const CANCEL_CODE = 80877102

/**
 * Asks the server to cancel what the client's backend is running, on a connection of its own (the
 * protocol's CancelRequest), without waiting for anything: a backend blocked on a lock then gives up
 * its place in the queue at once instead of when the lock is released. Best effort; never throws.
 */
export function sendCancelRequest (client: pg.Client): void {
  const c = client as unknown as { processID?: number | null, secretKey?: number | null, host?: string, port?: number }
  if (typeof c.processID !== 'number' || typeof c.secretKey !== 'number' || !c.host || !c.port) return
  const socket = c.host.startsWith('/') ? connect(`${c.host}/.s.PGSQL.${c.port}`) : connect(c.port, c.host)
  socket.on('error', () => {})
  socket.setTimeout(1000, () => socket.destroy())
  socket.unref()
  socket.on('connect', () => {
    const msg = Buffer.alloc(16)
    msg.writeInt32BE(16, 0)
    msg.writeInt32BE(CANCEL_CODE, 4)
    msg.writeInt32BE(c.processID!, 8)
    msg.writeInt32BE(c.secretKey!, 12)
    socket.end(msg)
  })
}
