import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { type RequestListener, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import { createLogger } from '../lib/create-logger.js'
import { requestContext, timingHeader } from '../lib/http/request-context.js'
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
 * pino-http given what the design asks of requestContext besides logging, to show what those features
 * cost on their own: a random UUID request id, an AsyncLocalStorage scope around the handler, and the
 * X-Request-ID and X-Processing-Time response headers.
 */
function withFeatures (handler: RequestListener): RequestListener {
  const als = new AsyncLocalStorage<{ request_id: string }>()
  return (req, res) => {
    const start = performance.now()
    const id = randomUUID()
    res.setHeader('x-request-id', id)
    timingHeader(res, start)
    als.run({ request_id: id }, () => handler(req, res))
  }
}

/**
 * Requests per second of one node:http app: no logging, pino-http (plain, and with the features above),
 * curator-log's middleware; the loggers write to a worker that only counts. Five rounds with the
 * variants interleaved, best of each, so that a noisy neighbour on a shared machine does not decide.
 */
export async function httpScenario (seconds: number): Promise<Result[]> {
  const stream = pino.transport({ target: COUNTING })
  const httpLogger = pinoHttp({ logger: pino(stream) })
  const logger = createLogger({ console: false, handleSignals: false, handleExceptions: false, transportTarget: COUNTING, database: { connectionString: 'postgres://unused' }, env: {} })
  const mw = requestContext({ logger })
  const handlers: RequestListener[] = [
    reply,
    (req, res) => { httpLogger(req, res); reply(req, res) },
    withFeatures((req, res) => { httpLogger(req, res); reply(req, res) }),
    (req, res) => mw(req, res, () => reply(req, res))
  ]
  const best = handlers.map(() => 0)
  for (let round = 0; round < 5; round++) {
    for (const [k, handler] of handlers.entries()) best[k] = Math.max(best[k], await rps(handler, seconds))
  }
  stream.end()
  await logger.close()
  const [none, withPinoHttp, pinoHttpFeatured, withCurator] = best
  return [
    { scenario: 'http', variant: 'node:http, no logging', value: none, unit: 'req/s' },
    { scenario: 'http', variant: 'node:http + pino-http', value: withPinoHttp, unit: 'req/s', ratio: { to: 'no logging', value: withPinoHttp / none } },
    { scenario: 'http', variant: 'node:http + pino-http + what requestContext adds by design (UUID request id, AsyncLocalStorage scope, X-Request-ID and X-Processing-Time)', value: pinoHttpFeatured, unit: 'req/s', ratio: { to: 'pino-http', value: pinoHttpFeatured / withPinoHttp } },
    { scenario: 'http', variant: 'node:http + curator-log requestContext', value: withCurator, unit: 'req/s', ratio: { to: 'pino-http', value: withCurator / withPinoHttp }, target: '>= 0.9x pino-http', pass: withCurator / withPinoHttp >= 0.9 }
  ]
}
