import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort } from '../lib/dev/throwaway-postgres.js'
import { migrate } from '../lib/migrate.js'
import { consumerDir, runFixture } from './support/consumer.js'
import { assertSeqs, connect, ownServer } from './support/db.js'

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
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1)
    for (const line of lines) {
      try {
        const row = JSON.parse(line)
        if (typeof row.context === 'string') seqs.push(JSON.parse(row.context).seq)
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
