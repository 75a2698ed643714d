import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import { bindContext } from '../lib/app/context.js'
import { requestContext } from '../lib/app/http/request-context.js'
import { freshTarget } from './support/db.js'
import { listen } from './support/http.js'
import { testLogger } from './support/logger.js'

// The completion line is written from the response's 'close' without a second scope when 'close' comes
// in the request's own scope. Pipelined requests on one connection are where it does not: there
// 'close' comes in the next request's scope, and the line must still carry its own request's fields.
t.test('pipelined requests on one connection: each completion row carries its own request\'s id and bound fields', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target, { rateLimit: false })
  const mw = requestContext({ logger })
  const server = createServer((req, res) => mw(req, res, () => {
    const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'))
    bindContext({ n })
    res.end(String(n))
  }))
  const base = new URL(await listen(t, server))
  const socket = connect(Number(base.port), base.hostname)
  await once(socket, 'connect')
  const N = 40
  let text = ''
  socket.setEncoding('latin1')
  const all = new Promise<void>(resolve => socket.on('data', (chunk: string) => {
    text += chunk
    if ((text.match(/HTTP\/1\.1 200/g) ?? []).length === N) resolve()
  }))
  socket.write(Array.from({ length: N }, (_, n) => `GET /p?n=${n} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''))
  await all
  socket.destroy()
  await logger.close()
  const ids = [...text.matchAll(/x-request-id: ([0-9a-f-]{36})/g)].map(m => m[1])
  t.equal(ids.length, N, 'every response has its id')
  const rows = await client.query(`SELECT request_id, path, (context->>'n')::int AS n FROM "${target.schema}".system_logs WHERE message = 'request completed: GET /p' ORDER BY id`)
  t.equal(rows.rowCount, N, 'one completion row per request')
  // Responses come back in request order, so the n-th id is request n's.
  const wrong = rows.rows.filter(r => ids[r.n] !== r.request_id)
  t.same(wrong, [], 'each row\'s request_id is that of the request whose bound n it carries')
  t.same(rows.rows.map(r => r.n).sort((a, b) => a - b), Array.from({ length: N }, (_, n) => n), 'every request\'s n, once')
})
