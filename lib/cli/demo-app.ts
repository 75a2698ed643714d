import { once } from 'node:events'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bindUser } from '../app/context.js'
import { createLogger, type CuratorLogger } from '../app/create-logger.js'
import { requestContext, requestErrorHandler } from '../app/http/request-context.js'

/** A small shop API instrumented with curator-log, for the demo. */
export function demoServer (logger: CuratorLogger): Server {
  const withContext = requestContext({ logger, slowThresholdMs: 200 })
  const onError = requestErrorHandler({ logger })
  return createServer((req, res) => withContext(req, res, async () => {
    try {
      const url = new URL(req.url ?? '/', 'http://demo')
      const id = Number(url.pathname.split('/')[2])
      if (req.headers['x-user']) bindUser({ user_id: String(req.headers['x-user']), username: `user${String(req.headers['x-user'])}` })
      logger.info({ item: id, email: 'customer@example.com' }, 'looking up item')
      if (id % 97 === 13) throw new Error(`inventory service timed out for item ${id}`)
      await new Promise(resolve => setTimeout(resolve, id % 50 === 7 ? 250 : 1))
      if (id % 10 === 9) {
        res.statusCode = 404
        res.end('not found')
        return
      }
      logger.info({ item: id, note: 'session token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln' }, 'item served')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ id }))
    } catch (err) {
      onError(err, req, res)
    }
  }))
}

/** Runs the demo app against `url`, sends `requests` requests, 50 at a time; resolves when all lines are committed. */
export async function runDemoTraffic (url: string, schema: string, table: string, transportTarget: string, requests: number): Promise<{ ms: number, failedId: string | null }> {
  const logger = createLogger({
    name: 'shop-api',
    console: false,
    handleSignals: false,
    rateLimit: false,
    transportTarget,
    database: { connectionString: url, schema, table, appName: 'curator-log-demo' }
  })
  const server = demoServer(logger)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const started = Date.now()
  let failedId: string | null = null
  for (let i = 0; i < requests; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, requests - i) }, async (_, k) => {
      const r = await fetch(`${base}/items/${i + k}`, { headers: { 'x-user': String((i + k) % 7) } })
      await r.arrayBuffer()
      if (r.status === 500 && failedId === null) failedId = r.headers.get('x-request-id')
    }))
  }
  server.close()
  await logger.close()
  return { ms: Date.now() - started, failedId }
}
