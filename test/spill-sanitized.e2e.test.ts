import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { assertSeqs, connect, ownServer, range, transportLogger, transportStats, waitFor } from './support/db.js'
import { spillDir, spilledSeqs } from './support/spill-files.js'

// A flood through a worker, a PostgreSQL server of its own started late, and a replay.
t.setTimeout(600_000)

const target = { schema: 'public', table: 'system_logs' }
const MiB = 1 << 20
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJTRUtSRVRKV1QiLCJpYXQiOjE1MTYyMzkwMjJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
/** Each secret as it would appear on disk or in a row if it were kept (JSON escaping leaves these alone). */
const SECRETS = {
  'password key': 'SEKRETPW',
  'Bearer token': 'SEKRETBEARER',
  email: 'jane.doe@example.com',
  'card number': '4111 1111 1111 1111',
  JWT: 'eyJzdWIiOiJTRUtSRVRKV1Qi'
}

/** Every other line carries all the secrets; the others are plain (the fast path may spill them as they came). */
function logLine (logger: { info (obj: object, msg: string): void }, seq: number): void {
  if (seq % 2 === 1) return logger.info({ seq, path: `/api/orders/${seq}`, cart: { items: seq % 9 } }, 'order looked up')
  logger.info({ seq, user: { password: `SEKRETPW${seq}` }, header: `Bearer SEKRETBEARER${seq}abcdef`, payment: 'card 4111 1111 1111 1111', detail: `session ${JWT}` }, 'login jane.doe@example.com')
}

/** How often each secret occurs in every file of the spill directory (the dead-letter file too). */
function secretsOnDisk (dir: string): Record<string, number> {
  const text = readdirSync(dir).map(f => readFileSync(join(dir, f), 'utf8')).join('\n')
  return Object.fromEntries(Object.entries(SECRETS).map(([name, s]) => [name, text.split(s).length - 1]))
}

const none = Object.fromEntries(Object.keys(SECRETS).map(name => [name, 0]))

/**
 * Starts the server that was down on `port`, loads the spill with a new transport, and checks that
 * every line landed once and that no column of any row holds a secret, the password's value being
 * redacted where the live path redacts it.
 */
async function replayAndCheck (t: Test, port: number, dir: string, n: number): Promise<void> {
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, target)
  const spilled = spilledSeqs(dir).length
  const next = await transportLogger(t, target, { spillDir: dir }, {}, server.url)
  await waitFor('the spill to load', async () => (await transportStats(next.stream)).replayed >= spilled, 300_000)
  await next.end()
  await assertSeqs(t, client, target, range(n))
  const leaks = await client.query(`SELECT (context->>'seq')::int AS seq, t::text AS row FROM ${target.schema}.${target.table} t WHERE ${Object.values(SECRETS).map((_, i) => `strpos(t::text, $${i + 1}) > 0`).join(' OR ')} LIMIT 5`, Object.values(SECRETS))
  t.same(leaks.rows, [], 'no row holds a secret')
  const redacted = await client.query(`SELECT count(*)::int AS n FROM ${target.schema}.${target.table} WHERE context->'user'->>'password' = '[REDACTED]' AND message = 'login [REDACTED_EMAIL]' AND context->>'header' = 'Bearer [REDACTED]'`)
  t.equal(redacted.rows[0].n, Math.ceil(n / 2), 'every line with secrets stored redacted, as a live one is')
}

t.test('a flood with secrets while the database is unreachable: nothing spilled holds one; replayed, each line lands once, redacted', async t => {
  const port = await freePort()
  const dir = spillDir(t)
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  // A small queue: the worker falls behind and spills most of the flood before parsing it.
  const { logger, end } = await transportLogger(t, target, { spillDir: dir, maxQueueBytes: MiB }, {}, url)
  const n = 60_000
  for (let seq = 0; seq < n; seq++) logLine(logger, seq)
  await end()
  const onDisk = spilledSeqs(dir)
  t.equal(onDisk.length, n, 'every line spilled')
  t.same(secretsOnDisk(dir), none, 'no secret in any file of the spill directory')
  await replayAndCheck(t, port, dir, n)
})

t.test('close with lines not parsed yet (closeTimeoutMs 0), database unreachable: spilled sanitized, replayed once', async t => {
  const port = await freePort()
  const dir = spillDir(t)
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const { logger, end } = await transportLogger(t, target, { spillDir: dir, closeTimeoutMs: 0 }, {}, url)
  const n = 20_000
  for (let seq = 0; seq < n; seq++) logLine(logger, seq)
  await end()
  t.equal(spilledSeqs(dir).length, n, 'every line spilled')
  t.same(secretsOnDisk(dir), none, 'no secret in any file of the spill directory')
  await replayAndCheck(t, port, dir, n)
})
