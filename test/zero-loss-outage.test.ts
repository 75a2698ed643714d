import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { assertSeqs, connect, flushTransport, ownServer, range, transportLogger, transportStats, waitFor } from './support/db.js'

const target = { schema: 'public', table: 'system_logs' }
const FAST_RETRY = { retryBaseMs: 20, retryMaxMs: 300 }
// Five PostgreSQL servers are initialised and started here: minutes on a loaded machine.
t.setTimeout(400_000)

function spillDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-spill-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Captures what the worker writes to stderr (it reaches the main thread's process.stderr). */
function captureStderr (t: Test): string[] {
  const lines: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: any[]) => {
    lines.push(String(chunk))
    return write(chunk, ...rest)
  }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  return lines
}

t.test('database absent for 5 s after start, then started: all rows land, one warning each way', async t => {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const stderr = captureStderr(t)
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, spillDir: spillDir(t) }, {}, url)
  for (const seq of range(3000)) logger.info({ seq }, 'before the database exists')
  await new Promise(resolve => setTimeout(resolve, 5000))
  const during = await transportStats(stream)
  t.equal(during.committed, 0)
  t.ok(during.retries > 0, 'it kept retrying')
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, target)
  for (const seq of range(3000, 3000)) logger.info({ seq }, 'after')
  const after = await flushTransport(stream)
  t.equal(after.committed, 6000)
  await end()
  await assertSeqs(t, client, target, range(6000))
  const warnings = stderr.join('').split('\n').filter(l => l.includes('curator-log'))
  t.equal(warnings.filter(l => l.includes('cannot write to PostgreSQL')).length, 1, 'one line on failure')
  t.equal(warnings.filter(l => l.includes('writing to PostgreSQL again')).length, 1, 'one line on recovery')
})

t.test('server restarted mid-stream: all land, none twice', async t => {
  const server = await ownServer(t)
  const client = await connect(t, server.url)
  await migrate(client, target)
  await client.end()
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, batchRows: 500, flushIntervalMs: 20 }, {}, server.url)
  let seq = 0
  const produce = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      logger.info({ seq: seq++ }, 'streaming')
      if (i % 200 === 0) await new Promise(resolve => setImmediate(resolve))
    }
  }
  await produce(10_000)
  await server.stop()
  await produce(10_000)
  await server.start()
  await produce(10_000)
  const stats = await flushTransport(stream)
  await end()
  t.ok(stats.retries > 0, 'the restart was noticed')
  const again = await connect(t, server.url)
  await assertSeqs(t, again, target, range(30_000))
})

t.test('the writer backend terminated during COPY, repeatedly: all land, none twice', async t => {
  const server = await ownServer(t)
  const client = await connect(t, server.url)
  await migrate(client, target)
  // One row in each batch makes its COPY sleep mid-stream, so the killer finds every COPY active
  // whatever the machine's load; a kill lands while rows are still arriving.
  await client.query(`CREATE FUNCTION public.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF (NEW.context->>'seq')::int % 2000 = 1000 THEN PERFORM pg_sleep(0.3); END IF; RETURN NULL; END $$`)
  await client.query('CREATE TRIGGER slow_row AFTER INSERT ON public.system_logs FOR EACH ROW EXECUTE FUNCTION public.slow_row()')
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, appName: 'victim', batchRows: 2000, flushIntervalMs: 50 }, {}, server.url)
  const KILLS = 4
  let killed = 0
  const killer = (async () => {
    while (killed < KILLS) {
      const r = await client.query("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'victim' AND query LIKE 'COPY%' AND state = 'active'")
      killed += r.rows.filter(x => x.ok).length
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  })()
  const pad = 'x'.repeat(100)
  for (let seq = 0; seq < 20_000; seq++) {
    logger.info({ seq, pad }, 'under fire')
    if (seq % 500 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  await killer
  const stats = await flushTransport(stream)
  await end()
  // Not one retry per kill: pg_stat_activity's row is a snapshot, and a backend whose COPY ended
  // between it and the kill dies idle, which the writer sees only as a fresh connection next time.
  t.ok(killed >= KILLS && stats.retries >= 1, `terminated ${killed} COPY backends, ${stats.retries} retries`)
  await assertSeqs(t, client, target, range(20_000))
})

t.test('60 000 lines while the database is down, 1 MiB memory cap: bounded, spilled, all land', async t => {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const dir = spillDir(t)
  const cap = 1 << 20
  // Several times what the cap holds: most lines must go to disk.
  const N = 60_000
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, maxQueueBytes: cap, spillDir: dir }, {}, url)
  for (let seq = 0; seq < N; seq++) {
    logger.info({ seq }, 'while down')
    if (seq % 1000 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  await waitFor('the worker to take every line', async () => {
    const s = await transportStats(stream)
    return s.spilled + s.queueDepth >= N
  }, 120_000)
  const down = await transportStats(stream)
  t.ok(down.peakQueueBytes <= cap, `memory stayed under the cap (peak ${down.peakQueueBytes} bytes)`)
  t.ok(down.spilled > N / 2, `most lines were spilled (${down.spilled})`)
  t.ok(readdirSync(dir).some(f => f.startsWith('spill-')), 'a spill file exists')
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, target)
  await waitFor('the spill to be replayed', async () => (await transportStats(stream)).committed >= N, 120_000)
  const stats = await flushTransport(stream)
  await end()
  t.equal(stats.replayed, stats.spilled, 'everything spilled was replayed')
  await assertSeqs(t, client, target, range(N))
  t.same(readdirSync(dir).filter(f => f.startsWith('spill-')), [], 'spill files removed once loaded')
})

t.test('leftover spill files are replayed by the next processes, each file once', async t => {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const dir = spillDir(t)
  // Three short-lived "processes" that never reach the database: closing spills what they hold.
  for (let p = 0; p < 3; p++) {
    const { logger, end } = await transportLogger(t, target, { ...FAST_RETRY, spillDir: dir, closeTimeoutMs: 300 }, {}, url)
    for (const seq of range(4000, p * 4000)) logger.info({ seq }, 'left behind')
    await end()
  }
  t.equal(readdirSync(dir).filter(f => f.endsWith('.ndjson') && f.startsWith('spill-')).length, 3, 'three spill files left')
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, target)
  // Two new processes start at once on the same directory.
  const [a, b] = await Promise.all([0, 1].map(() => transportLogger(t, target, { ...FAST_RETRY, spillDir: dir }, {}, url)))
  await waitFor('the leftovers to load', async () => {
    const [sa, sb] = await Promise.all([transportStats(a.stream), transportStats(b.stream)])
    return sa.replayed + sb.replayed >= 12_000
  })
  await Promise.all([a.end(), b.end()])
  await assertSeqs(t, client, target, range(12_000))
  t.same(readdirSync(dir).filter(f => f.startsWith('spill-')), [])
})
