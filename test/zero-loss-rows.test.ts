import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { quoteIdent } from '../lib/core/identifiers.js'
import { assertSeqs, connect, flushTransport, freshTarget, ownServer, range, transportLogger, transportStats, waitFor } from './support/db.js'

t.test('rows PostgreSQL refuses go to the dead-letter file; the good rows of their batch land', async t => {
  const { target, client } = await freshTarget(t)
  await client.query(`ALTER TABLE ${quoteIdent(target.schema)}.system_logs ADD CONSTRAINT no_poison CHECK (message <> 'poison')`)
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-dead-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { logger, stream, end } = await transportLogger(t, target, { spillDir: dir, batchRows: 1000 })
  const poison = new Set([3, 500, 999, 1500])
  for (const seq of range(2000)) logger.info({ seq }, poison.has(seq) ? 'poison' : 'fine')
  const stats = await flushTransport(stream)
  await end()
  t.equal(stats.deadLettered, poison.size)
  t.equal(stats.committed, 2000 - poison.size)
  await assertSeqs(t, client, target, range(2000).filter(s => !poison.has(s)))
  const dead = readFileSync(join(dir, 'dead-letter.ndjson'), 'utf8').trim().split('\n').map(l => JSON.parse(l))
  t.same(dead.map(d => JSON.parse(d.row.context).seq).sort((a, b) => a - b), [...poison])
  t.match(dead[0], { error: /23514 .*no_poison/, row: { message: 'poison', level: 'info' } })
})

t.test('spill directory not usable: one clear error at start-up, rows still land', async t => {
  const { target, client } = await freshTarget(t)
  const stderr: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((c: string, ...rest: any[]) => { stderr.push(String(c)); return write(c, ...rest) }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  // A path below a regular file can never be a directory, not even for root.
  const { logger, end } = await transportLogger(t, target, { spillDir: '/etc/hostname/spill' })
  for (const seq of range(100)) logger.info({ seq }, 'still logged')
  await end()
  t.match(stderr.join(''), /the spill directory \/etc\/hostname\/spill is not usable \(ENOTDIR/)
  await assertSeqs(t, client, target, range(100))
})

t.test('no spill and no database: debug and info are dropped before warn and error, and counted', async t => {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const target = { schema: 'public', table: 'system_logs' }
  const cap = 64 << 10
  const { logger, stream, end } = await transportLogger(t, target, { retryBaseMs: 20, retryMaxMs: 200, maxQueueBytes: cap, spillDir: false }, {}, url)
  for (const seq of range(3000)) {
    if (seq % 30 === 0) logger.error({ seq }, 'important')
    else logger.info({ seq }, 'chatter')
  }
  await waitFor('the worker to take every line', async () => {
    const s = await transportStats(stream)
    return s.queueDepth + Object.values(s.dropped).reduce((a, b) => a + b, 0) >= 3000
  })
  const down = await transportStats(stream)
  t.ok(down.dropped.info > 0, `info dropped (${down.dropped.info})`)
  t.equal(down.dropped.error, undefined, 'no error dropped')
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, target)
  const after = await flushTransport(stream)
  await end()
  const r = await client.query('SELECT level, count(*)::int AS n FROM system_logs GROUP BY level')
  const byLevel = Object.fromEntries(r.rows.map(x => [x.level, x.n]))
  t.equal(byLevel.error, 100, 'every error line landed')
  t.equal(byLevel.info + after.dropped.info, 2900, 'every info line landed or was counted as dropped')
})
