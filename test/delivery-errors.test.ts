import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { quoteIdent } from '../lib/core/identifiers.js'
import { assertSeqs, databaseUrl, freshTarget, range, transportLogger, transportStats, waitFor } from './support/db.js'
import { spillDir, spilledSeqs } from './support/spill-files.js'

const FAST_RETRY = { retryBaseMs: 20, retryMaxMs: 300 }

/** The curator-log warnings the worker writes to stderr (it reaches this thread's process.stderr). */
function warnings (t: Test): () => string[] {
  const lines: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: any[]) => {
    lines.push(...String(chunk).split('\n').filter(l => l.includes('curator-log:')))
    return write(chunk, ...rest)
  }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  return () => lines
}

t.test('no partition for the current month, maintenance off: reported once, rows spilled, loaded once a partition exists', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  const month = new Date().toISOString().slice(0, 7).replace('-', '_')
  await client.query(`DROP TABLE ${s}.system_logs_${month}`)
  const warned = warnings(t)
  const dir = spillDir(t)
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, maintenance: false, spillDir: dir, batchRows: 200 })
  for (const seq of range(1000)) logger.info({ seq }, 'no partition yet')
  await waitFor('the rows to be spilled', async () => (await transportStats(stream)).spilled >= 1000)
  // Long enough for several replay attempts: each one fails once and pauses, none loops.
  await new Promise(resolve => setTimeout(resolve, 3000))
  const stalled = await transportStats(stream)
  t.match(stalled, { committed: 0, spilled: 1000, retries: 0 }, 'no endless retries')
  t.same(spilledSeqs(dir).sort((a, b) => a - b), range(1000), 'every row is on disk, once')
  t.equal(warned().filter(l => /no partition of .* takes the current month/.test(l)).length, 1, 'reported once')
  await client.query(`SELECT ${s}.curator_log_create_partitions($1, 'system_logs', now(), 0)`, [target.schema])
  await waitFor('the spill to be loaded', async () => (await transportStats(stream)).replayed >= 1000)
  await end()
  await assertSeqs(t, client, target, range(1000))
})

t.test('statement_timeout shorter than a full batch\'s COPY: batches shrink until they fit, every row lands once', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  // 2 ms a row: a batch of 1000 takes 2 s against a 400 ms timeout; 125 rows fit (fewer on a loaded
  // machine, where each pg_sleep also waits for a core: 1000 rows, not more).
  await client.query(`CREATE FUNCTION ${s}.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NULL; END $$`)
  await client.query(`CREATE TRIGGER slow_row AFTER INSERT ON ${s}.system_logs FOR EACH ROW EXECUTE FUNCTION ${s}.slow_row()`)
  const url = `${databaseUrl()}?options=${encodeURIComponent('-c statement_timeout=400')}`
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, batchRows: 1000 }, {}, url)
  for (const seq of range(1000)) logger.info({ seq }, 'slow to insert')
  await waitFor('every row to land', async () => (await transportStats(stream)).committed >= 1000, 150_000)
  const stats = await transportStats(stream)
  await end()
  t.equal(stats.deadLettered, 0, 'nothing dead-lettered')
  t.ok(stats.batches >= 1000 / 250, `smaller batches (${stats.batches} COPYs)`)
  await assertSeqs(t, client, target, range(1000))
})

t.test('a role that may not insert: reported once with the grant it needs, the connection kept, rows land once granted', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  const role = `curator_${randomBytes(4).toString('hex')}`
  await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`)
  t.teardown(async () => {
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`)
    await client.query(`DROP OWNED BY ${role}`)
    await client.query(`DROP ROLE ${role}`)
  })
  await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${role}`)
  const url = new URL(databaseUrl())
  url.username = role
  url.password = 'pw'
  const warned = warnings(t)
  const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, maintenance: false, appName: role, copyConnections: 1 }, {}, url.href)
  for (const seq of range(100)) logger.info({ seq }, 'not allowed yet')
  await waitFor('a few retries', async () => (await transportStats(stream)).retries >= 5)
  const backends = await client.query('SELECT count(DISTINCT pid)::int AS n FROM pg_stat_activity WHERE application_name = $1', [role])
  t.equal(backends.rows[0].n, 1, 'one connection, kept across retries')
  const failing = warned().filter(l => l.includes('cannot write to PostgreSQL'))
  t.equal(failing.length, 1, 'reported once')
  t.match(failing[0], /42501 permission denied.*INSERT on .*system_logs, USAGE on its id sequence and SELECT, INSERT, DELETE on the schema's curator_log_batches/)
  await client.query(`GRANT INSERT ON ${s}.system_logs TO ${role}`)
  await client.query(`GRANT SELECT, INSERT, DELETE ON ${s}.curator_log_batches TO ${role}`)
  await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`)
  await waitFor('every row to land', async () => (await transportStats(stream)).committed >= 100)
  await end()
  await assertSeqs(t, client, target, range(100))
})

t.test('closing while PostgreSQL refuses the password or the insert: the lines are spilled at once, not retried until closeTimeoutMs', async t => {
  for (const refusal of ['a wrong password', 'a role that may not insert'] as const) {
    const { target, client } = await freshTarget(t)
    const url = new URL(databaseUrl())
    if (refusal === 'a wrong password') url.password = 'not-the-password'
    else {
      const role = `curator_${randomBytes(4).toString('hex')}`
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`)
      await client.query(`GRANT USAGE ON SCHEMA ${quoteIdent(target.schema)} TO ${role}`)
      t.teardown(async () => {
        await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`)
        await client.query(`DROP OWNED BY ${role}`)
        await client.query(`DROP ROLE ${role}`)
      })
      url.username = role
      url.password = 'pw'
    }
    const dir = spillDir(t)
    const { logger, stream, end } = await transportLogger(t, target, { ...FAST_RETRY, maintenance: false, spillDir: dir, closeTimeoutMs: 7000 }, {}, url.href)
    for (const seq of range(100)) logger.info({ seq }, 'refused')
    await waitFor('the refusal', async () => (await transportStats(stream)).retries >= 1)
    const closing = Date.now()
    await end()
    const took = Date.now() - closing
    t.same(spilledSeqs(dir), range(100), `${refusal}: every line spilled, once, in order`)
    // Retried to the deadline the close took all of closeTimeoutMs: no retry in it could succeed.
    t.ok(took < 3500, `${refusal}: closed in ${took} ms of the 7000 allowed`)
  }
})
