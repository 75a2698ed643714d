import { once } from 'node:events'
import { type RequestListener, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import { createLogger } from '../lib/create-logger.js'
import { requestContext } from '../lib/http/request-context.js'
import type { Result } from './harness.js'
import { COUNTING } from './hot-path.js'

async function rps (handler: RequestListener, seconds: number): Promise<number> {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/7?x=1`
  await autocannon({ url, connections: 10, duration: 0.5 })
  const r = await autocannon({ url, connections: 10, duration: seconds })
  server.close()
  return r.requests.average
}

const reply: RequestListener = (_req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end('{"ok":true}')
}

/**
 * Requests per second of one node:http app: no logging, pino-http, curator-log's middleware; both
 * loggers write to a worker that only counts. Five rounds with the variants interleaved, best of each,
 * so that a noisy neighbour on a shared machine does not decide the ratio.
 */
export async function httpScenario (seconds: number): Promise<Result[]> {
  const stream = pino.transport({ target: COUNTING })
  const httpLogger = pinoHttp({ logger: pino(stream) })
  const logger = createLogger({ console: false, handleSignals: false, handleExceptions: false, transportTarget: COUNTING, database: { connectionString: 'postgres://unused' }, env: {} })
  const mw = requestContext({ logger })
  const handlers: RequestListener[] = [
    reply,
    (req, res) => { httpLogger(req, res); reply(req, res) },
    (req, res) => mw(req, res, () => reply(req, res))
  ]
  const best = handlers.map(() => 0)
  for (let round = 0; round < 5; round++) {
    for (const [k, handler] of handlers.entries()) best[k] = Math.max(best[k], await rps(handler, seconds))
  }
  stream.end()
  await logger.close()
  const [none, withPinoHttp, withCurator] = best
  return [
    { scenario: 'http', variant: 'node:http, no logging', value: none, unit: 'req/s' },
    { scenario: 'http', variant: 'node:http + pino-http', value: withPinoHttp, unit: 'req/s', ratio: { to: 'no logging', value: withPinoHttp / none } },
    { scenario: 'http', variant: 'node:http + curator-log requestContext', value: withCurator, unit: 'req/s', ratio: { to: 'pino-http', value: withCurator / withPinoHttp }, target: '>= 0.9x pino-http', pass: withCurator / withPinoHttp >= 0.9 }
  ]
}
