// Lines/s into the spill under a flood, side by side for several builds, and what of each secret
// is left on disk. The database is unreachable (port 1): every line the worker takes ends up spilled
// (past the queue cap at once, the queue at close). The rate is lines over the time from the first call
// until the worker has taken every line (spilled or queued, per its stats); close() waits for the
// deadline (closeTimeoutMs) with the database down, and is shown apart.
//
//   node bench/spill-intake.mjs [lines] <checkout with dist/>...
//   e.g. node bench/spill-intake.mjs 200000 /tmp/old-checkout .
//
// Each build runs in a child process of its own, once per kind of line: `secrets` (a password key,
// a Bearer token, an email, a card number and a JWT on every line: the full path), `plain` (the
// bench's ~500-byte records: the fast path).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJTRUtSRVRKV1QiLCJpYXQiOjE1MTYyMzkwMjJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
/** What must not be on disk, as it would be found there (JSON escaping does not touch these). */
const SECRETS = { password: 'SEKRETPW', bearer: 'SEKRETBEARER', email: 'jane.doe@example.com', card: '4111 1111 1111 1111', jwt: 'eyJzdWIiOiJTRUtSRVRKV1Qi' }

async function child (root, kind, n) {
  const { createLogger } = await import(pathToFileURL(join(root, 'dist/lib/index.js')).href)
  const { record, MESSAGE } = await import(pathToFileURL(resolve(import.meta.dirname, 'records.ts')).href).catch(() => ({}))
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-spill-intake-'))
  const logger = createLogger({ name: 'spill-intake', console: false, rateLimit: false, database: { connectionString: 'postgres://postgres:postgres@127.0.0.1:1/none', spillDir: dir } })
  const log = kind === 'secrets'
    ? i => logger.info({ seq: i, user: { password: `SEKRETPW${i}` }, header: `Bearer SEKRETBEARER${i}abcdef`, payment: 'card 4111 1111 1111 1111', detail: `session ${JWT}` }, 'login jane.doe@example.com')
    : i => logger.info({ ...record(i), seq: i }, MESSAGE)
  const start = performance.now()
  for (let i = 0; i < n; i++) log(i)
  const logged = performance.now()
  // Taken by the worker: spilled, or queued (the database being down, a queued row is spilled at close).
  for (;;) {
    const s = await logger.transportStats()
    if (s.spilled + s.queueDepth + Object.values(s.dropped).reduce((a, b) => a + b, 0) >= n) break
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  const taken = performance.now()
  await logger.close()
  const closed = performance.now()
  const files = readdirSync(dir).filter(f => f.startsWith('spill-') && !f.endsWith('.offset'))
  const text = files.map(f => readFileSync(join(dir, f), 'utf8')).join('')
  const lines = text.split('\n').filter(l => l.startsWith('{') && !l.includes('"curatorLogSpill"'))
  const raw = lines.filter(l => l.startsWith('{"raw":')).length
  const found = Object.fromEntries(Object.entries(SECRETS).map(([k, s]) => [k, text.split(s).length - 1]))
  rmSync(dir, { recursive: true, force: true })
  return { root, kind, n, loopMs: logged - start, closeMs: closed - taken, linesPerSecond: n / ((taken - start) / 1000), spilled: lines.length, raw, found }
}

if (process.argv[2] === '--child') {
  const [root, kind, n] = process.argv.slice(3)
  process.stdout.write(JSON.stringify(await child(root, kind, Number(n))) + '\n')
} else {
  const args = process.argv.slice(2)
  const n = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 200_000
  const roots = (args.length > 0 ? args : ['.']).map(r => resolve(r))
  const rows = []
  for (const kind of ['secrets', 'plain']) {
    for (const root of roots) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', root, kind, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] })
      rows.push(JSON.parse(out.trim().split('\n').pop()))
    }
  }
  console.log('| build | lines | logged in | close() | lines/s taken into spill | spilled (raw) | secrets on disk |')
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const secrets = r.kind === 'secrets' ? Object.entries(r.found).map(([k, v]) => `${k} ${v}`).join(', ') : '—'
    console.log(`| ${r.root} (${r.kind}) | ${r.n} | ${Math.round(r.loopMs)} ms | ${Math.round(r.closeMs)} ms | ${Math.round(r.linesPerSecond).toLocaleString('en-US')} | ${r.spilled} (${r.raw}) | ${secrets} |`)
  }
}
