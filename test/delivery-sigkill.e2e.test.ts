import { hostname } from 'node:os'
import t from 'tap'
import { logged, loggedAt, runApp } from './support/delivery-app.js'
import { freshTarget, range } from './support/db.js'

const RATE = 5000
const FLUSH_MS = 500

t.test(`SIGKILL while logging ${RATE} lines/s: only the lines of the last moments are lost, none twice`, async t => {
  const { target, client } = await freshTarget(t)
  const run = await runApp(t, {
    SCHEMA: target.schema,
    MODE: 'steady-then-kill',
    RATE: String(RATE),
    WAIT_MS: '4000',
    DB_OPTIONS: JSON.stringify({ flushIntervalMs: FLUSH_MS })
  })
  t.equal(run.signal, 'SIGKILL')
  const sent = logged(run.out)
  const n = sent.length
  t.same(sent, range(n), 'the app logged seqs 0..n-1')
  const at = loggedAt(run.out)
  const killedAt = at.get(n - 1)!
  const r = await client.query(`SELECT (context->>'seq')::int AS seq, count(*)::int AS c FROM "${target.schema}".system_logs GROUP BY 1`)
  const landed = new Set(r.rows.map(x => x.seq as number))
  t.equal(r.rows.filter(x => x.c > 1).length, 0, 'none twice')
  const lost = range(n).filter(s => !landed.has(s))
  // What was in memory: lines accepted during the last flush interval plus one COPY round trip.
  const windowMs = lost.length > 0 ? killedAt - at.get(lost[0])! : 0
  // The bytes of a line as pino wrote it.
  const lineBytes = JSON.stringify({ level: 30, time: Date.now(), pid: 99999, hostname: hostname(), name: 'app', seq: n, msg: 'app line' }).length + 1
  t.ok(landed.size > 0, 'lines landed before the kill')
  t.comment(`logged ${n}, landed ${landed.size}, lost ${lost.length} rows (${(lost.length * lineBytes / 1024).toFixed(0)} KiB), oldest lost line logged ${windowMs.toFixed(0)} ms before the kill`)
  t.ok(windowMs <= FLUSH_MS + 1500, `the lost lines are the last ${windowMs.toFixed(0)} ms (bound: flushIntervalMs + 1.5 s)`)
})
