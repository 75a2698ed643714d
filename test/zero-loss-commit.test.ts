import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { quoteIdent } from '../lib/core/identifiers.js'
import { commitProxy } from './support/commit-proxy.js'
import { assertSeqs, databaseUrl, flushTransport, freshTarget, range, transportLogger, waitFor } from './support/db.js'

t.test('connection lost while COMMIT is in flight: the server is asked, the batch lands once', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  // A deferred constraint trigger makes COMMIT of the batch holding the marked row take a while,
  // long enough to kill the writer's backend between sending COMMIT and reading its answer: it is
  // killed only while in that sleep (a kill just after the sleep could find the COMMIT done).
  await client.query(`CREATE FUNCTION ${s}.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.message = 'slow commit' THEN PERFORM pg_sleep(1.5); END IF; RETURN NULL; END $$`)
  await client.query(`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON ${s}.system_logs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${s}.slow_commit()`)
  const { logger, stream, end } = await transportLogger(t, target, { appName: 'commit-victim', copyConnections: 1, retryBaseMs: 20, retryMaxMs: 200 })
  logger.info({ seq: 0 }, 'slow commit')
  for (const seq of range(99, 1)) logger.info({ seq }, 'same batch')
  let killed = 0
  await waitFor('the COMMIT to be killed', async () => {
    const r = await client.query("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'commit-victim' AND query = 'COMMIT' AND state = 'active' AND wait_event = 'PgSleep'")
    killed += r.rows.filter(x => x.ok).length
    return killed > 0
  }, 20_000)
  const stats = await flushTransport(stream)
  await end()
  t.ok(stats.retries >= 1, 'the lost COMMIT was retried')
  await assertSeqs(t, client, target, range(100))
})

for (const commitReaches of [true, false]) {
  const outcome = commitReaches ? 'committed' : 'rolled back'
  t.test(`COMMIT answer lost, then shutdown before the server is back (it had ${outcome}): the batch is spilled with its id, the next process looks for its marker and it lands once`, async t => {
    const { target, client } = await freshTarget(t)
    const dir = mkdtempSync(join(tmpdir(), 'curator-log-doubt-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const port = new URL(databaseUrl()).port
    const proxy = await commitProxy(t, Number(port), { commitReaches })
    const url = `postgres://postgres:postgres@127.0.0.1:${proxy.port}/postgres`
    const options = { spillDir: dir, copyConnections: 1, maintenance: false, retryBaseMs: 20, retryMaxMs: 200, closeTimeoutMs: 1500, flushIntervalMs: 50 }
    const first = await transportLogger(t, target, options, {}, url)
    for (const seq of range(5000)) first.logger.info({ seq }, 'in doubt')
    await waitFor('a COMMIT to be lost', () => proxy.state.lost, 30_000)
    for (const seq of range(1000, 5000)) first.logger.info({ seq }, 'after')
    await first.end()
    const landed = (await client.query(`SELECT count(*)::int AS n FROM ${quoteIdent(target.schema)}.system_logs`)).rows[0].n
    t.ok(commitReaches ? landed > 0 : landed === 0, `before replay ${landed} rows are in the table`)
    const segments = readdirSync(dir).filter(f => f.startsWith('spill-') && f.endsWith('.ndjson'))
    const headers = segments.map(f => JSON.parse(readFileSync(join(dir, f), 'utf8').split('\n')[0]))
    const inDoubt = headers.filter(h => h.batch !== undefined)
    t.equal(inDoubt.length, 1, 'one segment carries the transaction in doubt')
    t.match(inDoubt[0], { batch: /^[0-9a-f]{24}\/[01]*$/, target: { server: /^\d+$/, schema: target.schema, table: 'system_logs' } })

    proxy.open()
    const second = await transportLogger(t, target, options, {}, url)
    await waitFor('the spill to load', () => readdirSync(dir).filter(f => f.startsWith('spill-')).length === 0, 60_000)
    await second.end()
    await assertSeqs(t, client, target, range(6000))
  })
}
