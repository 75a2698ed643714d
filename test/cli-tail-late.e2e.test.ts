import { PassThrough } from 'node:stream'
import pg from 'pg'
import t, { type Test } from 'tap'
import { main } from '../lib/cli/main.js'
import { follow } from '../lib/cli/tail-follow.js'
import { qualifiedTable } from '../lib/core/identifiers.js'
import { databaseUrl, freshTarget, waitFor } from './support/db.js'

t.setTimeout(600_000)

const insert = (table: string, logger: string, message: string): string =>
  `INSERT INTO ${table} ("timestamp", level, logger, message, context) VALUES (now(), 'info', '${logger}', '${message}', '{}')`

async function writer (t: Test): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: databaseUrl() })
  await c.connect()
  t.teardown(() => c.end())
  return c
}

t.test('tail prints every committed row once, a slow writer\'s late commit below 25 000 newer rows too', async t => {
  const { target, client } = await freshTarget(t)
  const table = qualifiedTable(target)
  await client.query(insert(table, 'tail-late', 'already there'))
  // A writer in the middle of its transaction when tail starts, one that starts after, one that rolls back.
  const before = await writer(t)
  await before.query('BEGIN')
  await before.query(insert(table, 'tail-late', 'SLOW BEFORE TAIL'))
  const out = new PassThrough()
  let text = ''
  out.on('data', d => { text += d })
  const ac = new AbortController()
  const done = main(['tail', '--url', databaseUrl(), '--schema', target.schema, '--logger', 'tail-late', '--lines', '1', '--interval-ms', '100', '--json'], out, new PassThrough(), ac.signal)
  const printed = (): string[] => text.split('\n').filter(Boolean).map(l => JSON.parse(l).msg as string)
  await waitFor('the last row', () => printed().length === 1)
  const after = await writer(t)
  await after.query('BEGIN')
  await after.query(insert(table, 'tail-late', 'SLOW AFTER TAIL'))
  const undone = await writer(t)
  await undone.query('BEGIN')
  await undone.query(insert(table, 'tail-late', 'ROLLED BACK'))
  await client.query(`INSERT INTO ${table} ("timestamp", level, logger, message, context)
    SELECT now(), 'info', CASE WHEN g % 100 = 0 THEN 'other' ELSE 'tail-late' END, 'bulk ' || g, '{}' FROM generate_series(1, 25000) g`)
  await waitFor('the bulk rows', () => printed().length >= 1 + 24_750, 120_000)
  await undone.query('ROLLBACK')
  await after.query('COMMIT')
  await before.query('COMMIT')
  await waitFor('the slow writers\' rows', () => printed().length >= 1 + 24_750 + 2, 60_000)
  // A few more polls: nothing is printed twice.
  await new Promise(resolve => setTimeout(resolve, 1000))
  ac.abort()
  t.equal(await done, 0)
  const msgs = printed()
  t.equal(msgs.length, 1 + 24_750 + 2, 'each matching row once')
  t.equal(new Set(msgs).size, msgs.length, 'no row twice')
  t.equal(msgs[0], 'already there')
  t.ok(msgs.includes('SLOW BEFORE TAIL'), 'the writer running when tail started')
  t.ok(msgs.includes('SLOW AFTER TAIL'), 'the writer that committed after 25 000 newer rows')
  t.notOk(msgs.includes('ROLLED BACK'))
  t.notOk(msgs.some(m => /^bulk \d*00$/.test(m)), 'the filter holds for late rows too')
})

t.test('gaps left by rolled-back writers are let go once those writers have ended', async t => {
  const { target, client } = await freshTarget(t)
  const table = qualifiedTable(target)
  const follower = await follow(client, table, [], [])
  const undone = await writer(t)
  await undone.query('BEGIN')
  for (let i = 0; i < 50; i++) await undone.query(insert(table, 'x', 'rolled back'))
  await client.query(insert(table, 'x', 'committed'))
  t.same((await follower.poll()).rows.map(r => r.message), ['committed'])
  t.equal(follower.gaps, 50, 'the running writer\'s ids are awaited')
  await follower.poll()
  t.equal(follower.gaps, 50, 'still awaited while it runs')
  await undone.query('ROLLBACK')
  // Let go once no transaction older than the gaps runs anywhere in the cluster: other test files
  // share this server, and one of theirs may still hold the snapshot's xmin back for a while.
  await waitFor('the gaps to be let go', async () => { await follower.poll(); return follower.gaps === 0 }, 60_000)
  t.equal(follower.gaps, 0, 'let go once it has ended')
})
