// Loading spill files exactly once (issue 15): a process killed between a replayed batch's COMMIT and
// the record of its progress, a replayed batch split around a refused row, and a batch whose COMMIT
// answer was lost replayed on a server restored from a copy, where its transaction id means something else.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import t, { type Test } from 'tap'
import { type LogTarget, qualifiedTable, quoteIdent } from '../lib/core/identifiers.js'
import { migrate } from '../lib/database/migrate.js'
import { commitProxy } from './support/commit-proxy.js'
import { assertSeqs, ownServer, range, transportLogger, waitFor } from './support/db.js'
import { spillDir, spillFiles } from './support/spill-files.js'

t.setTimeout(600_000)
// Each case has a server of its own and mostly waits (for a lease to go stale, a commit, a kill): three at a time.
t.jobs = 3
const APP = fileURLToPath(new URL('./fixtures/replay-app.mjs', import.meta.url))

async function client (t: Test, url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  t.teardown(() => c.end().catch(() => {}))
  return c
}

/** Spills `n` lines (seq 0..n-1, `poison` at seq `poisonAt`) while the server is stopped, then starts it. */
async function spillWhileDown (t: Test, server: { url: string, stop (): Promise<void>, start (): Promise<void> }, target: LogTarget, dir: string, n: number, poisonAt = -1): Promise<void> {
  await server.stop()
  const first = await transportLogger(t, target, { spillDir: dir, maintenance: false, closeTimeoutMs: 1000, retryBaseMs: 20, retryMaxMs: 100 }, {}, server.url)
  for (const seq of range(n)) first.logger.info({ seq }, seq === poisonAt ? 'poison' : 'spilled')
  await first.end()
  await server.start()
}

/**
 * Every COMMIT that wrote rows to the table takes `seconds` (a deferred constraint trigger, once per
 * transaction), so a test can kill the loading process while the server commits.
 */
async function slowCommits (c: pg.Client, target: LogTarget, seconds: number): Promise<void> {
  const s = quoteIdent(target.schema)
  await c.query(`CREATE FUNCTION ${s}.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('test.slept', true) IS DISTINCT FROM '1' THEN
        PERFORM set_config('test.slept', '1', true);
        PERFORM pg_sleep(${seconds});
      END IF;
      RETURN NULL;
    END $$`)
  await c.query(`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON ${qualifiedTable(target)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${s}.slow_commit()`)
}

/** Starts a process that loads the spill directory; resolves to a function that SIGKILLs it. */
function replayProcess (t: Test, url: string, target: LogTarget, dir: string, appName: string): () => Promise<void> {
  const child = spawn(process.execPath, [APP], { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: url, SCHEMA: target.schema, SPILL_DIR: dir, APP_NAME: appName }, stdio: 'ignore' })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  t.teardown(() => { child.kill('SIGKILL') })
  return async () => {
    child.kill('SIGKILL')
    await exited
  }
}

async function committing (c: pg.Client, appName: string): Promise<boolean> {
  const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query = 'COMMIT' AND state = 'active'", [appName])
  return r.rows[0].n > 0
}

/** Waits until nothing of the killed process runs on the server any more. */
async function settled (c: pg.Client, appName: string): Promise<void> {
  await waitFor('the killed process\'s session to end', async () => {
    const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [appName])
    return r.rows[0].n === 0
  }, 60_000)
}

/** A new process loads what is left; resolves once no spill file remains. */
async function loadRest (t: Test, url: string, target: LogTarget, dir: string): Promise<void> {
  const next = await transportLogger(t, target, { spillDir: dir, maintenance: false, retryBaseMs: 20, retryMaxMs: 200 }, {}, url)
  // The killed process's lease goes stale after 10 s; then its segment is taken over.
  await waitFor('the spill to be loaded', () => spillFiles(dir).length === 0, 120_000)
  await next.end()
}

t.test('SIGKILL between a replayed batch\'s COMMIT and the record of its progress: the next process loads it once', async t => {
  const server = await ownServer(t)
  const c = await client(t, server.url)
  const target = { schema: 'replay_kill', table: 'system_logs' }
  await migrate(c, target)
  const dir = spillDir(t)
  await c.end()
  await spillWhileDown(t, server, target, dir, 12_000)
  const db = await client(t, server.url)
  await slowCommits(db, target, 3)

  const kill = replayProcess(t, server.url, target, dir, 'replay-victim')
  await waitFor('a replayed batch to be committing', () => committing(db, 'replay-victim'), 120_000)
  await kill()
  await settled(db, 'replay-victim')
  const landed = (await db.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`)).rows[0].n
  t.equal(landed, 5000, 'the batch being committed when the process died landed')
  await db.query(`DROP TRIGGER slow_commit ON ${qualifiedTable(target)}`)

  await loadRest(t, server.url, target, dir)
  await assertSeqs(t, db, target, range(12_000))
})

t.test('SIGKILL while a replayed batch is split around a refused row: good rows land once, the refused row is dead-lettered once', async t => {
  const server = await ownServer(t)
  const c = await client(t, server.url)
  const target = { schema: 'replay_split', table: 'system_logs' }
  await migrate(c, target)
  // A row the server refuses for what it holds (a data error, class 23).
  await c.query(`ALTER TABLE ${qualifiedTable(target)} ADD CONSTRAINT no_poison CHECK (message <> 'poison')`)
  await c.end()
  const dir = spillDir(t)
  await spillWhileDown(t, server, target, dir, 5000, 2500)
  const db = await client(t, server.url)
  await slowCommits(db, target, 0.5)

  const kill = replayProcess(t, server.url, target, dir, 'split-victim')
  // The batch of 5000 fails whole, then is halved until row 2500 stands alone; kill after it went to
  // the dead-letter file, while one of the halves that follow it commits.
  await waitFor('the refused row to be dead-lettered', () => existsSync(`${dir}/dead-letter.ndjson`), 120_000)
  await waitFor('a later half to be committing', () => committing(db, 'split-victim'), 60_000)
  await kill()
  await settled(db, 'split-victim')
  const landed = (await db.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`)).rows[0].n
  t.ok(landed > 0 && landed < 4999, `killed midway: ${landed} of 4999 good rows had landed`)
  await db.query(`DROP TRIGGER slow_commit ON ${qualifiedTable(target)}`)

  await loadRest(t, server.url, target, dir)
  await assertSeqs(t, db, target, range(5000).filter(s => s !== 2500))
  const dead = readFileSync(`${dir}/dead-letter.ndjson`, 'utf8').trim().split('\n').map(l => JSON.parse(l))
  t.same(dead.map(d => JSON.parse(d.row.context).seq), [2500], 'the refused row is in the dead-letter file once')
})

t.test('a batch whose COMMIT answer was lost, replayed on a server restored from a copy where its transaction id committed something else: it lands', async t => {
  const server = await ownServer(t)
  const target = { schema: 'replay_restore', table: 'system_logs' }
  const c = await client(t, server.url)
  await migrate(c, target)
  await c.end()
  // The "backup": a copy of the data directory, taken while the server is stopped.
  await server.stop()
  const backup = await ownServer(t, undefined, server.dataDir)
  await backup.stop()
  await server.start()

  const dir = spillDir(t)
  const proxy = await commitProxy(t, server.port, { commitReaches: true })
  const url = `postgres://postgres:postgres@127.0.0.1:${proxy.port}/postgres`
  const first = await transportLogger(t, target, { spillDir: dir, copyConnections: 1, maintenance: false, retryBaseMs: 20, retryMaxMs: 200, closeTimeoutMs: 1500 }, {}, url)
  for (const seq of range(1000)) first.logger.info({ seq }, 'in doubt')
  await waitFor('a COMMIT answer to be lost', () => proxy.state.lost, 60_000)
  await first.end()
  const old = await client(t, server.url)
  t.equal((await old.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`)).rows[0].n, 1000, 'the old server committed the batch')
  const lastXid = Number((await old.query('SELECT txid_current()::text AS x')).rows[0].x)
  await old.end()
  await server.stop()

  // The server is lost and restored from the copy: same system identifier, none of those rows, and
  // transaction ids handed out again, to other transactions that commit.
  await backup.start()
  const restored = await client(t, backup.url)
  for (let x = 0; x <= lastXid;) x = Number((await restored.query('SELECT txid_current()::text AS x')).rows[0].x)
  t.equal((await restored.query(`SELECT count(*)::int AS n FROM ${qualifiedTable(target)}`)).rows[0].n, 0, 'the restored server has none of the rows')

  await loadRest(t, backup.url, target, dir)
  await assertSeqs(t, restored, target, range(1000))
})
