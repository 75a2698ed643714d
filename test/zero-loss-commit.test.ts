import t from 'tap'
import { quoteIdent } from '../lib/identifiers.js'
import { assertSeqs, flushTransport, freshTarget, range, transportLogger, waitFor } from './support/db.js'

t.test('connection lost while COMMIT is in flight: the server is asked, the batch lands once', async t => {
  const { target, client } = await freshTarget(t)
  const s = quoteIdent(target.schema)
  // A deferred constraint trigger makes COMMIT of the batch holding the marked row take a while,
  // long enough to kill the writer's backend between sending COMMIT and reading its answer.
  await client.query(`CREATE FUNCTION ${s}.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.message = 'slow commit' THEN PERFORM pg_sleep(1.5); END IF; RETURN NULL; END $$`)
  await client.query(`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON ${s}.system_logs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${s}.slow_commit()`)
  const { logger, stream, end } = await transportLogger(t, target, { appName: 'commit-victim', copyConnections: 1, retryBaseMs: 20, retryMaxMs: 200 })
  logger.info({ seq: 0 }, 'slow commit')
  for (const seq of range(99, 1)) logger.info({ seq }, 'same batch')
  let killed = 0
  await waitFor('the COMMIT to be killed', async () => {
    const r = await client.query("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'commit-victim' AND query = 'COMMIT' AND state = 'active'")
    killed += r.rows.filter(x => x.ok).length
    return killed > 0
  }, 20_000)
  const stats = await flushTransport(stream)
  await end()
  t.ok(stats.retries >= 1, 'the lost COMMIT was retried')
  await assertSeqs(t, client, target, range(100))
})
