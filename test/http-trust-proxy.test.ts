import { createServer } from 'node:http'
import pino from 'pino'
import t from 'tap'
import { requestContext } from '../lib/app/http/request-context.js'
import type { TrustProxy } from '../lib/app/http/request-info.js'
import { freshTarget } from './support/db.js'
import { listen } from './support/http.js'
import { testLogger } from './support/logger.js'

// Each case: the trust setting, the X-Forwarded-For the proxies delivered, and the address Express
// would report as req.ip (the first address, right to left, that is not a trusted proxy).
const cases: Array<[name: string, trust: TrustProxy, xff: string, expected: string]> = [
  ['port-entry', 1, '6.6.6.6, 9.9.9.9:51234', '9.9.9.9'],
  ['unknown-entry', 1, '6.6.6.6, unknown', 'unknown'],
  ['v6-port-entry', 1, '6.6.6.6, [2001:db8::1]:4711', '2001:db8::1'],
  ['two-hops', 2, '6.6.6.6, 5.5.5.5, 10.0.0.2', '5.5.5.5'],
  ['subnets', ['127.0.0.0/8', '10.0.0.0/8'], '6.6.6.6, 5.5.5.5, 10.1.2.3', '5.5.5.5'],
  ['named-string', 'loopback, 10.0.0.0/8', '6.6.6.6, 5.5.5.5, 10.1.2.3', '5.5.5.5'],
  ['garbage-not-trusted', ['127.0.0.1'], '6.6.6.6, not-an-ip', 'not-an-ip'],
  ['trust-all', true, '6.6.6.6, 5.5.5.5', '6.6.6.6'],
  ['untrusted', false, '6.6.6.6', '127.0.0.1'],
  // An IPv4-mapped entry in any spelling is stored as its IPv4 address, as the socket's peer is.
  ['mapped-upper', 1, '6.6.6.6, ::FFFF:9.9.9.9', '9.9.9.9'],
  ['mapped-hex', 1, '6.6.6.6, ::ffff:909:909', '9.9.9.9'],
  ['mapped-long', 1, '6.6.6.6, 0:0:0:0:0:ffff:9.9.9.9', '9.9.9.9'],
  ['mapped-port', 1, '6.6.6.6, [::FFFF:9.9.9.9]:4711', '9.9.9.9'],
  ['v6-kept', 1, '6.6.6.6, 2001:DB8::FFFF:1', '2001:DB8::FFFF:1']
]

t.test('X-Forwarded-For with Express trust-proxy semantics: every entry is a hop, subnets and names trusted', async t => {
  const { target, client } = await freshTarget(t)
  const logger = await testLogger(t, target)
  for (const [name, trustProxy, xff] of cases) {
    const mw = requestContext({ logger, trustProxy })
    const base = await listen(t, createServer((req, res) => mw(req, res, () => res.end())))
    const r = await fetch(`${base}/${name}`, { headers: { 'x-forwarded-for': xff } })
    await r.text()
  }
  // The worker may still be starting on a loaded machine: a flush waits for it, a close would not.
  await new Promise(resolve => logger.flush(resolve))
  await logger.close()
  const rows = (await client.query(`SELECT path, ip_address FROM "${target.schema}".system_logs WHERE message LIKE 'request completed%' ORDER BY path`)).rows
  t.same(Object.fromEntries(rows.map(r => [r.path.slice(1), r.ip_address])), Object.fromEntries(cases.map(([name, , , ip]) => [name, ip])))
})

t.test('an address proxy-addr cannot parse is refused when the middleware is made', async t => {
  t.throws(() => requestContext({ logger: pino({ enabled: false }), trustProxy: ['10.0.0.0/99'] }), /trustProxy/)
})
