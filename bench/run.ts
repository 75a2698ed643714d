// The benchmark suite: `npm run bench` (full) or `npm run bench:smoke` (small N, same table). Run with
// --expose-gc (the npm scripts do) so the memory scenario can read the worker's live heap.
// Every target is a ratio measured side by side in this one run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startThrowawayPostgres } from '../lib/dev/throwaway-postgres.js'
import { eventLoopScenario } from './event-loop.js'
import { floodMemoryScenario } from './flood-memory.js'
import { type Result, ROOT } from './harness.js'
import { hotPathScenario } from './hot-path.js'
import { httpScenario } from './http.js'
import { indexSetScenario } from './index-sets.js'
import { ingestScenario } from './ingest.js'
import { memoryScenario } from './memory.js'
import { type RunRecord, resultsTable, writeResultsPage } from './results-page.js'
import { sanitizerScenario } from './sanitizer.js'

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' } } })
const smoke = values.smoke
const only = values.only?.split(',')
const want = (name: string): boolean => only === undefined || only.includes(name)
const size = smoke
  ? { ingest: 10_000, copy: 10_000, queries: 20_000, hot: 20_000, loopMs: 1500, outageS: 3, floodS: 3, httpS: 1, sanitize: 10_000 }
  : { ingest: 100_000, copy: 100_000, queries: 1_000_000, hot: 100_000, loopMs: 10_000, outageS: 60, floodS: 20, httpS: 3, sanitize: 100_000 }

let url = process.env.DATABASE_URL
let stop = async (): Promise<void> => {}
if (!url) {
  // Default server settings (fsync on): the figures are what a real database does.
  const server = await startThrowawayPostgres()
  url = server.url
  stop = () => server.destroy()
}

const results: Result[] = []
const step = async (name: string, run: () => Promise<Result[]> | Result[]): Promise<void> => {
  if (!want(name)) return
  process.stderr.write(`bench: ${name}...\n`)
  // Said here: stopping the server in `finally` makes the scenario's open clients fail louder than this.
  results.push(...await Promise.resolve().then(run).catch((err: unknown) => { process.stderr.write(`bench: ${name} failed: ${(err as Error).stack ?? String(err)}\n`); throw err }))
}
try {
  await step('ingest', () => ingestScenario(url, size.ingest))
  const ceiling = results.find(r => r.variant.startsWith('raw COPY'))?.value
  await step('sanitizer', () => sanitizerScenario(size.sanitize, ceiling ?? 50_000, smoke))
  await step('index-sets', () => indexSetScenario(url, size.copy, size.queries))
  await step('hot-path', () => hotPathScenario(size.hot))
  await step('event-loop', () => eventLoopScenario(url, size.loopMs))
  await step('memory', () => memoryScenario(size.outageS))
  await step('flood-memory', () => floodMemoryScenario(url, size.floodS))
  await step('http', () => httpScenario(size.httpS))
} finally {
  await stop()
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const run: RunRecord = { date: new Date().toISOString(), machine, smoke, results }
const table = resultsTable(run)
const dir = join(ROOT, 'bench', 'results')
mkdirSync(dir, { recursive: true })
// Only a full run of every scenario replaces the published results.
const name = smoke ? 'smoke' : only ? 'partial' : 'latest'
writeFileSync(join(dir, `${name}.json`), JSON.stringify(run, null, 2) + '\n')
writeFileSync(join(dir, `${name}.md`), table)
if (name === 'latest') writeResultsPage(run)
process.stdout.write(table)
