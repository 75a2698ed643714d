import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import curatorLogTransport from '../transport/index.js'
import { listPartitions, monthStart } from '../lib/database/partition-maintenance.js'
import { quoteIdent } from '../lib/core/identifiers.js'
import { cli } from './support/cli.js'
import { ROOT } from './support/consumer.js'
import { assertSeqs, connect, databaseUrl, freshTarget, range, rows, transportLogger, waitFor } from './support/db.js'

const names = async (client: Parameters<typeof listPartitions>[0], target: Parameters<typeof listPartitions>[1]) => (await listPartitions(client, target)).map(p => p.name)

t.test('four processes maintaining at once: each partition made exactly once, no errors', async t => {
  const { target, client } = await freshTarget(t)
  const before = await names(client, target)
  const runs = await Promise.all([0, 1, 2, 3].map(async () => {
    const child = spawn(process.execPath, [`${ROOT}dist/lib/cli/main.js`, 'maintain', '--url', databaseUrl(), '--schema', target.schema, '--now', '2031-03-10T00:00:00Z', '--retention-days', '0'])
    let out = ''
    child.stdout.on('data', d => { out += d })
    child.stderr.on('data', d => { out += d })
    const [code] = await once(child, 'exit')
    return { code, out }
  }))
  t.same(runs.map(r => r.code), [0, 0, 0, 0], runs.map(r => r.out).join('\n'))
  const created = runs.flatMap(r => [...r.out.matchAll(/^created (\S+)$/gm)].map(m => m[1])).sort()
  t.same(created, ['system_logs_2031_02', 'system_logs_2031_03', 'system_logs_2031_04', 'system_logs_2031_05', 'system_logs_2031_06'])
  t.same(await names(client, target), [...before, ...created])
})

const DAY = 86_400_000
const partitionName = (ms: number) => `system_logs_${new Date(ms).toISOString().slice(0, 7).replace('-', '_')}`

t.test('retention drops exactly the partitions entirely older than it; detach keeps them as tables', async t => {
  const { target, client } = await freshTarget(t)
  const now = Date.now()
  await client.query(`SELECT ${quoteIdent(target.schema)}.curator_log_create_partitions($1, $2, $3, 11)`, [target.schema, target.table, new Date(monthStart(now, -11))])
  const args = ['--url', databaseUrl(), '--schema', target.schema, '--months-ahead', '0']
  // The month holding the cutoff ends after it and stays; the one before it ends before it and goes.
  const cutoff90 = now - 90 * DAY
  const detached = await cli('maintain', ...args, '--retention-days', '90', '--detach')
  t.equal(detached.code, 0, detached.err)
  const gone = [...detached.out.matchAll(/^detached (\S+)$/gm)].map(m => m[1])
  t.ok(gone.includes(partitionName(monthStart(cutoff90, -1))) && !gone.includes(partitionName(cutoff90)), 'the month before the cutoff goes, the cutoff\'s month stays')
  t.ok(gone.every(n => n < partitionName(cutoff90)), 'nothing younger goes')
  t.ok((await client.query('SELECT to_regclass($1) AS r', [`${target.schema}.${partitionName(monthStart(cutoff90, -1))}`])).rows[0].r, 'a detached partition is still a table')
  const cutoff30 = now - 30 * DAY
  const dropped = await cli('maintain', ...args, '--retention-days', '30')
  t.match(dropped.out, new RegExp(`^dropped ${partitionName(monthStart(cutoff30, -1))}$`, 'm'))
  t.notMatch(dropped.out, new RegExp(`^dropped ${partitionName(cutoff30)}$`, 'm'))
  const bad = await cli('maintain', ...args, '--retention-days', 'forever')
  t.equal(bad.code, 2)
  const badNow = await cli('maintain', '--now', 'tomorrow')
  t.equal(badNow.code, 2)
})

t.test('maintain --now months ahead makes partitions there and drops none of the months being written', async t => {
  const { target, client } = await freshTarget(t)
  const seqs = range(50)
  await client.query(`INSERT INTO ${quoteIdent(target.schema)}.system_logs (level, message, context) SELECT 'info', 'this month', jsonb_build_object('seq', s) FROM unnest($1::int[]) s`, [seqs])
  const ahead = new Date(monthStart(Date.now(), 7) + 9 * DAY).toISOString()
  const run = await cli('maintain', '--url', databaseUrl(), '--schema', target.schema, '--now', ahead, '--retention-days', '30')
  t.equal(run.code, 0, run.err)
  t.notMatch(run.out, /^dropped /m, 'nothing dropped')
  t.match(run.out, new RegExp(`^created ${partitionName(Date.parse(ahead))}$`, 'm'))
  t.ok((await names(client, target)).includes(partitionName(Date.now())), 'this month\'s partition is still there')
  await assertSeqs(t, client, target, seqs)
})

t.test('maintain --dry-run prints what it would create and drop, and changes nothing', async t => {
  const { target, client } = await freshTarget(t)
  await client.query(`SELECT ${quoteIdent(target.schema)}.curator_log_create_partitions($1, $2, $3, 2)`, [target.schema, target.table, new Date(monthStart(Date.now(), -8))])
  const before = await names(client, target)
  const ahead = new Date(monthStart(Date.now(), 5)).toISOString()
  const run = await cli('maintain', '--url', databaseUrl(), '--schema', target.schema, '--now', ahead, '--months-ahead', '1', '--retention-days', '90', '--dry-run')
  t.equal(run.code, 0, run.err)
  t.match(run.out, new RegExp(`^would create ${partitionName(Date.parse(ahead))}$`, 'm'))
  t.match(run.out, new RegExp(`^would drop ${partitionName(monthStart(Date.now(), -8))}$`, 'm'))
  t.match(run.out, /dry run, nothing changed/)
  t.same(await names(client, target), before, 'the partitions are as they were')
})

t.test('a month rollover under a fake clock: the new month\'s partition is made and its rows land in it', async t => {
  const { target, client } = await freshTarget(t)
  let now = Date.parse('2031-05-31T23:59:59.000Z')
  const stream = await curatorLogTransport({ connectionString: databaseUrl(), schema: target.schema, spillDir: false, monthsAhead: 0, maintenanceIntervalMs: 0, retentionDays: 0, flushIntervalMs: 10, now: () => now })
  const line = (msg: string) => JSON.stringify({ level: 30, time: now, msg }) + '\n'
  stream.write(line('last second of May'))
  await stream.flush()
  now = Date.parse('2031-06-01T00:00:01.000Z')
  stream.write(line('first second of June'))
  await stream.flush()
  stream.end()
  await once(stream, 'close')
  const got = (await client.query(`SELECT message, "timestamp", tableoid::regclass::text AS part, context FROM "${target.schema}".system_logs ORDER BY id`)).rows
  t.match(got, [
    { message: 'last second of May', part: /system_logs_2031_05$/ },
    { message: 'first second of June', part: /system_logs_2031_06$/, context: {} }
  ])
  t.equal(got[1].timestamp.toISOString(), '2031-06-01T00:00:01.000Z', 'kept its own time')
})

t.test('bad timestamps never make partitions for arbitrary years', async t => {
  const { target, client } = await freshTarget(t)
  const { logger, end } = await transportLogger(t, target, {}, { timestamp: () => `,"time":${Date.parse('2999-01-01T00:00:00Z')}` })
  logger.info('from the future')
  await end()
  const month = (offset: number) => { const d = new Date(); const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)); return `system_logs_${m.getUTCFullYear()}_${String(m.getUTCMonth() + 1).padStart(2, '0')}` }
  t.same(await names(client, target), [-1, 0, 1, 2, 3].map(month), 'last month to three ahead, nothing for 2999')
  const [r] = await rows<Record<string, any>>(client, target)
  t.ok(Math.abs(r.timestamp.getTime() - Date.now()) < 60_000, 'stored at ingest time')
})

t.test('least privilege: a writer role that may only insert', async t => {
  const { target, client } = await freshTarget(t)
  const role = `writer_${randomBytes(4).toString('hex')}`
  const s = quoteIdent(target.schema)
  await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'writer-pw'`)
  t.teardown(async () => {
    const c = await connect(t)
    await c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`)
  })
  await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${role}; GRANT INSERT ON ${s}.system_logs TO ${role}; GRANT USAGE ON SEQUENCE ${s}.system_logs_id_seq TO ${role}; GRANT SELECT, INSERT, DELETE ON ${s}.curator_log_batches TO ${role}`)
  const url = new URL(databaseUrl())
  url.username = role
  url.password = 'writer-pw'

  const stderr: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((c: string, ...rest: any[]) => { stderr.push(String(c)); return write(c, ...rest) }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })

  const off = await transportLogger(t, target, { maintenance: false }, {}, url.toString())
  off.logger.info({ seq: 1 }, 'as the writer, maintenance off')
  await off.end()
  const on = await transportLogger(t, target, {}, {}, url.toString())
  for (let i = 0; i < 3; i++) on.logger.info({ seq: 2 + i }, 'as the writer, maintenance on')
  // Warnings from a closing worker go straight to fd 2, past this capture: wait for it first.
  await waitFor('the maintenance warning', async () => stderr.join('').includes('partition maintenance failed'), 60_000)
  await on.end()
  t.same((await rows<Record<string, any>>(client, target)).map(r => r.context.seq), [1, 2, 3, 4])
  const warnings = stderr.join('').split('\n').filter(l => l.includes('partition maintenance failed'))
  t.equal(warnings.length, 1, 'the missing privilege is reported once')
  t.match(warnings[0], /42501/)
  const denied = await connect(t, url.toString())
  await t.rejects(denied.query(`DELETE FROM ${s}.system_logs`), /permission denied/, 'the writer cannot delete')
  await t.rejects(denied.query(`SELECT * FROM ${s}.system_logs`), /permission denied/, 'nor read')
})

t.test('a row whose month has no partition, and none can be made, is stored at ingest time', async t => {
  const { target, client } = await freshTarget(t)
  const gap = new Date()
  gap.setUTCDate(15)
  gap.setUTCMonth(gap.getUTCMonth() + 2)
  const part = `system_logs_${gap.getUTCFullYear()}_${String(gap.getUTCMonth() + 1).padStart(2, '0')}`
  await client.query(`DROP TABLE ${quoteIdent(target.schema)}.${quoteIdent(part)}`)
  const { logger, end } = await transportLogger(t, target, { maintenance: false }, { timestamp: () => `,"time":${gap.getTime()}` })
  logger.info('in a month without a partition')
  logger.info('another one')
  logger.info({ original_time: 'as the app logged it' }, 'with a field of the name its time is kept under')
  await end()
  const got = await rows<Record<string, any>>(client, target)
  t.equal(got.length, 3)
  for (const r of got) t.ok(Math.abs(r.timestamp.getTime() - Date.now()) < 60_000, 'stored at ingest time')
  t.same(got.map(r => r.context), [
    { original_time: gap.toISOString() },
    { original_time: gap.toISOString() },
    { original_time: 'as the app logged it', 'original_time#2': gap.toISOString() }
  ], 'its own time kept, and the field the app logged')
  t.notOk((await names(client, target)).includes(part), 'no partition was made')
})
