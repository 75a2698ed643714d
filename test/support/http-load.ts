import type { Test } from 'tap'
import type pg from 'pg'
import type { LogTarget } from '../../lib/core/identifiers.js'
import { qualifiedTable } from '../../lib/core/identifiers.js'

/**
 * Sends `n` concurrent GET /work/:i requests and checks in PostgreSQL that every request's rows
 * carry its own X-Request-ID and nothing else does: the handler logs `handler start` and
 * `handler end` with i, the middleware its completion line.
 */
export async function concurrentRequests (t: Test, base: string, client: pg.Client, target: LogTarget, settle: () => Promise<void>, n = 1000, idHeader = 'x-request-id'): Promise<void> {
  const responses = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const r = await fetch(`${base}/work/${i}`)
    return { i, id: r.headers.get(idHeader)!, time: r.headers.get('x-processing-time'), body: await r.text() }
  }))
  t.ok(responses.every(r => r.id && /^\d+\.\dms$/.test(r.time ?? '') && r.body === String(r.i)), 'X-Request-ID and X-Processing-Time on every response')
  t.equal(new Set(responses.map(r => r.id)).size, n, 'ids are unique')
  await settle()
  const rows = (await client.query(`SELECT request_id, message, path, (context->>'i')::int AS i FROM ${qualifiedTable(target)} WHERE path LIKE '/work/%' AND message <> 'request started'`)).rows
  const byId = new Map<string, typeof rows>()
  for (const r of rows) byId.set(r.request_id, [...(byId.get(r.request_id) ?? []), r])
  let bad = 0
  for (const { i, id } of responses) {
    const mine = byId.get(id) ?? []
    const ok = mine.length === 3 && mine.every(r => r.path === `/work/${i}`) &&
      mine.filter(r => r.message.startsWith('handler')).length === 2 && mine.filter(r => r.message.startsWith('handler')).every(r => r.i === i) &&
      mine.some(r => r.message === `request completed: GET /work/${i}`)
    if (!ok && bad++ < 3) t.fail(`request ${i}`, { rows: mine })
  }
  t.equal(bad, 0, 'every request has exactly its three rows, all with its own request_id')
  t.equal(rows.length, 3 * n, 'no row of another request in between')
}
