// Lines/s into the spill under a flood, side by side for several builds, and what of each secret is
// left on disk. The transport runs on this thread (no worker): the lines are written into it in
// thread-stream's 4 MiB chunks as fast as it takes them, with the database unreachable (port 1), so
// the time and CPU until every line is taken (spilled, or queued and spilled at close) are the
// worker's own cost. Nothing else shares the thread, so CPU time moves less than wall time on a
// loaded machine.
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
const CHUNK = 4 << 20

async function child (root, kind, n) {
  const { default: transport } = await import(pathToFileURL(join(root, 'dist/transport/index.js')).href)
  const { record, MESSAGE } = await import(pathToFileURL(resolve(import.meta.dirname, 'records.ts')).href)
  const head = i => `{"level":30,"time":${Date.now() + i},"pid":4242,"hostname":"bench-host"`
  const line = kind === 'secrets'
    ? i => head(i) + ',' + JSON.stringify({ seq: i, user: { password: `SEKRETPW${i}` }, header: `Bearer SEKRETBEARER${i}abcdef`, payment: 'card 4111 1111 1111 1111', detail: `session ${JWT}`, msg: 'login jane.doe@example.com' }).slice(1) + '\n'
    : i => head(i) + ',' + JSON.stringify({ ...record(i), seq: i, msg: MESSAGE }).slice(1) + '\n'
  const chunks = []
  let chunk = ''
  for (let i = 0; i < n; i++) {
    chunk += line(i)
    if (chunk.length >= CHUNK) {
      chunks.push(chunk)
      chunk = ''
    }
  }
  if (chunk !== '') chunks.push(chunk)
  const dir = mkdtempSync(join(tmpdir(), 'curator-log-spill-intake-'))
  // Quiet: the database being down is reported on stderr.
  const stream = await transport({ connectionString: 'postgres://postgres:postgres@127.0.0.1:1/none', spillDir: dir, closeTimeoutMs: 0 })
  const start = performance.now()
  const cpu = process.cpuUsage()
  for (const c of chunks) {
    if (!stream.write(c)) await new Promise(resolve => stream.once('drain', resolve))
  }
  for (;;) {
    const s = stream.stats()
    if (s.spilled + s.queueDepth + Object.values(s.dropped).reduce((a, b) => a + b, 0) >= n) break
    await new Promise(resolve => setImmediate(resolve))
  }
  const used = process.cpuUsage(cpu)
  const taken = performance.now()
  await new Promise(resolve => { stream.once('close', resolve); stream.end() })
  const files = readdirSync(dir).filter(f => f.startsWith('spill-') && !f.endsWith('.offset'))
  const text = files.map(f => readFileSync(join(dir, f), 'utf8')).join('')
  const lines = text.split('\n').filter(l => l.startsWith('{') && !l.includes('"curatorLogSpill"'))
  const raw = lines.filter(l => l.startsWith('{"raw":')).length
  const found = Object.fromEntries(Object.entries(SECRETS).map(([k, s]) => [k, text.split(s).length - 1]))
  rmSync(dir, { recursive: true, force: true })
  return { root, kind, n, linesPerSecond: n / ((taken - start) / 1000), cpuUsPerLine: (used.user + used.system) / n, spilled: lines.length, raw, found }
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
      const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', root, kind, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'ignore'] })
      rows.push(JSON.parse(out.trim().split('\n').pop()))
    }
  }
  console.log('| build (lines) | lines/s taken into spill | CPU µs a line | spilled (of them raw) | secrets on disk |')
  console.log('|---|---|---|---|---|')
  for (const r of rows) {
    const secrets = r.kind === 'secrets' ? Object.entries(r.found).map(([k, v]) => `${k} ${v}`).join(', ') : '—'
    console.log(`| ${r.root} (${r.kind}) | ${Math.round(r.linesPerSecond).toLocaleString('en-US')} | ${r.cpuUsPerLine.toFixed(1)} | ${r.spilled} (${r.raw}) | ${secrets} |`)
  }
}
