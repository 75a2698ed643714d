import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/database/migrate.js'
import { consumerDir, runFixture } from './support/consumer.js'
import type { LogTarget } from '../lib/core/identifiers.js'
import type { TransportOptions } from '../lib/core/transport-options.js'
import type { TransportStats } from '../lib/core/transport-stats.js'
import { assertSeqs, connect, databaseUrl, flushTransport, ownServer, range, transportLogger, transportStats, waitFor } from './support/db.js'

// Child processes, PostgreSQL servers of its own and a tmpfs: about two minutes alone, more beside other files.
t.setTimeout(600_000)
// Each case has its own servers, schema or spill directory, and mostly waits on processes: three at a time.
t.jobs = 3

const target = { schema: 'public', table: 'system_logs' }

function tempDir (t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The seq of every whole row in the spill segments (headers and torn lines are not rows). */
export function seqsOnDisk (dir: string): number[] {
  const seqs: number[] = []
  for (const f of readdirSync(dir).filter(f => f.startsWith('spill-') && !f.endsWith('.bad') && !f.endsWith('.offset'))) {
    let text = ''
    try {
      text = readFileSync(join(dir, f), 'utf8')
    } catch {} // loaded and removed meanwhile
    const lines = text.split('\n').slice(0, -1)
    for (const line of lines) {
      try {
        const row = JSON.parse(line)
        if (typeof row.context === 'string') seqs.push(JSON.parse(row.context).seq)
        // A line spilled before the worker parsed it (at close, or in a flood).
        else if (typeof row.raw === 'string') seqs.push(JSON.parse(row.raw).seq)
      } catch {}
    }
  }
  return seqs.sort((a, b) => a - b)
}

function segments (dir: string): string[] {
  return readdirSync(dir).filter(f => f.startsWith('spill-'))
}

/** Whether this process may make a PID namespace, in which node runs as PID 1 as in a container. */
function canRunAsPid1 (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to make a PID namespace (unshare --pid)'
  try {
    const pid = execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'echo $$'], { encoding: 'utf8' }).trim()
    return pid === '1' ? undefined : `unshare gave pid ${pid}, not 1`
  } catch (err) {
    return `unshare --pid is not permitted here (${(err as Error).message.split('\n')[0]})`
  }
}

const PID1 = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child']

/**
 * Runs the app against a database that is down until it has spilled `lines` lines and SIGKILLs it,
 * then starts the database and a second run of the app on the same spill directory.
 */
async function crashThenRestart (t: Test, opts: { lines: number, wrap?: string[], before?: (dir: string) => void }) {
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const dir = tempDir(t, 'curator-log-crash-')
  const app = consumerDir(t)
  const env = { DATABASE_URL: url, SCHEMA: 'public', SPILL_DIR: dir }
  const first = await runFixture(app, 'spill-app.mjs', { ...env, LINES: String(opts.lines), MODE: 'kill' }, 120_000, { wrap: opts.wrap, killOnOutput: true })
  t.equal(first.signal, 'SIGKILL', first.stderr)
  const stats = JSON.parse(first.stdout.split('\n')[0])
  const onDisk = seqsOnDisk(dir)
  t.equal(onDisk.length, stats.spilled, `every row counted as spilled (${stats.spilled}) is on disk (${onDisk.length})`)
  t.equal(new Set(onDisk).size, onDisk.length, 'none twice on disk')
  // What was still in memory (the queue and the batch being retried) dies with the process.
  t.equal(stats.spilled + stats.queueDepth, opts.lines, `every line spilled or in memory (${stats.queueDepth} in memory)`)
  opts.before?.(dir)
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, target)
  const second = await runFixture(app, 'spill-app.mjs', { ...env, LINES: '0', MODE: 'drain', WAIT_MS: '40000' }, 120_000, { wrap: opts.wrap })
  t.equal(second.code, 0, second.stderr)
  await assertSeqs(t, client, target, onDisk)
  return { dir, onDisk }
}

t.test('database down, maxQueueBytes 1024, 100 lines, SIGKILL: every row counted as spilled is on disk and loads once', async t => {
  const { dir } = await crashThenRestart(t, { lines: 100 })
  t.same(segments(dir), [], 'the segment was loaded and removed')
})

t.test('PID 1 in a container, crashed and restarted as PID 1 again: its spill is loaded; empty and torn files do not block it', { skip: canRunAsPid1() ?? false }, async t => {
  const { dir } = await crashThenRestart(t, {
    lines: 20_000,
    wrap: PID1,
    before (dir) {
      // Left by kills during a spill, older than the real segment so they come first.
      writeFileSync(join(dir, 'spill-1-00000000000000aa-0.ndjson'), '')
      writeFileSync(join(dir, 'spill-2-00000000000000bb-0.open'), '{"curatorLogSpill":1,"instance":"00000000')
      writeFileSync(join(dir, 'spill-3-00000000000000cc-0.ndjson'), 'garbage\n{"seq":"not a row"}\n')
    }
  })
  t.same(segments(dir), ['spill-3-00000000000000cc-0.ndjson.bad'], 'empty files removed, an unreadable one set aside')
})

/** Starts the database that was down on `port`, and a transport that loads what `dir` holds for it. */
async function startAndLoad (t: Test, port: number, here: LogTarget, options: TransportOptions, dir: string, expected: number[]): Promise<void> {
  const server = await ownServer(t, port)
  const client = await connect(t, server.url)
  await migrate(client, here)
  const next = await transportLogger(t, here, options, {}, `postgres://postgres:postgres@127.0.0.1:${port}/postgres`)
  await waitFor('the spill to load', () => seqsOnDisk(dir).length === 0, 60_000)
  await next.end()
  await assertSeqs(t, client, here, expected)
}

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
function canMountTmpfs (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a 1 MiB tmpfs as a full disk'
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' })
    execFileSync('umount', [dir])
    return undefined
  } catch (err) {
    return `mount -t tmpfs is not permitted here (${(err as Error).message.split('\n')[0]})`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

t.test('spill directory on a full 1 MiB filesystem: what counts as spilled is on disk, the rest is dropped and counted, and it loads once', { skip: canMountTmpfs() ?? false }, async t => {
  const mnt = join(tempDir(t, 'curator-log-full-'), 'mnt')
  mkdirSync(mnt)
  // mode 0700: a tmpfs root is 1777 by default, a directory the worker refuses to spill into.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt])
  t.teardown(() => execFileSync('umount', [mnt]))
  const port = await freePort()
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const options = { spillDir: mnt, maxQueueBytes: 1024, closeTimeoutMs: 500, retryBaseMs: 20, retryMaxMs: 200 }
  const first = await transportLogger(t, target, options, {}, url)
  const lines = 3000
  const pad = 'x'.repeat(1000)
  for (let seq = 0; seq < lines; seq++) {
    first.logger.info({ seq, pad }, 'disk filling up')
    if (seq % 100 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  const dropped = (s: TransportStats) => Object.values(s.dropped).reduce((a, b) => a + b, 0)
  await waitFor('the worker to take every line', async () => {
    const s = await transportStats(first.stream)
    return s.spilled + dropped(s) + s.queueDepth >= lines
  }, 120_000)
  const stats = await transportStats(first.stream)
  const onDisk = seqsOnDisk(mnt)
  t.ok(dropped(stats) > 0, `the disk filled up: ${dropped(stats)} rows dropped and counted`)
  t.ok(stats.spilled > 0, `the disk took rows before it filled up: ${stats.spilled} spilled`)
  t.equal(onDisk.length, stats.spilled, `every row counted as spilled (${stats.spilled}) is on disk (${onDisk.length})`)
  await first.end()
  // Closing spills the queue if a write fits, else drops it (counted): nothing already on disk goes.
  const afterClose = seqsOnDisk(mnt)
  t.ok(onDisk.every(seq => afterClose.includes(seq)), 'closing kept what was on disk')
  await startAndLoad(t, port, target, options, mnt, afterClose)
})

for (const shared of [true, false]) {
  t.test(shared
    ? 'two services, one spill directory: a segment is loaded only into the database, schema and table it was spilled for'
    : 'two services, same appName, default spill directory: each target spills to a directory of its own', async t => {
    const schema = `t_${randomBytes(5).toString('hex')}`
    const here = { schema, table: 'system_logs' }
    const appName = `svc-${randomBytes(4).toString('hex')}`
    const base = join(tmpdir(), 'curator-log', appName)
    t.teardown(() => rmSync(base, { recursive: true, force: true }))
    const spillDir = shared ? tempDir(t, 'curator-log-shared-') : undefined
    const options = { appName, spillDir, closeTimeoutMs: 500, retryBaseMs: 20, retryMaxMs: 200 }
    // Service A: its database is down; closing spills all it has.
    const portA = await freePort()
    const urlA = `postgres://postgres:postgres@127.0.0.1:${portA}/postgres`
    const a = await transportLogger(t, here, options, {}, urlA)
    for (const seq of range(1000)) a.logger.info({ seq }, 'service A')
    await a.end()
    const dirA = spillDir ?? join(base, readdirSync(base)[0])
    t.equal(seqsOnDisk(dirA).length, 1000, 'A spilled everything')
    // Service B: its own database, a table of the same schema and name.
    const clientB = await connect(t)
    await migrate(clientB, here)
    t.teardown(() => clientB.query(`DROP SCHEMA ${schema} CASCADE`))
    const b = await transportLogger(t, here, options, {}, databaseUrl())
    for (const seq of range(1000, 1000)) b.logger.info({ seq }, 'service B')
    await flushTransport(b.stream)
    // B looks for segments to load on start, after each flush and every 2 s.
    await new Promise(resolve => setTimeout(resolve, 5000))
    await b.end()
    await assertSeqs(t, clientB, here, range(1000, 1000))
    t.equal(seqsOnDisk(dirA).length, 1000, 'A\'s rows are still on disk')
    if (!shared) t.equal(readdirSync(base).length, 2, 'one directory per target')
    // A's database comes back: its next process loads them there.
    await startAndLoad(t, portA, here, options, dirA, range(1000))
  })
}
