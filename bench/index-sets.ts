import type pg from 'pg'
import { type LogTarget, qualifiedTable } from '../lib/identifiers.js'
import { type Result, client, dropTarget, freshTarget } from './harness.js'
import { copyChunks, loadChunks, prebuilt, rawCopy } from './ingest.js'
import { record } from './records.js'

/** The reference design's index set (005_logging_tables.sql), on our table. */
export const REFERENCE_INDEXES = [
  '("timestamp" DESC)', '(level)', '(request_id)', '(user_id)', '(logger)', '(path)', 'USING GIN (context)', '(level, "timestamp" DESC)'
]

/** Replaces every index but the primary key with `defs` (what follows `CREATE INDEX ON table`). */
export async function replaceIndexes (c: pg.Client, target: LogTarget, defs: readonly string[]): Promise<void> {
  const table = qualifiedTable(target)
  const idx = await c.query('SELECT i.indexrelid::regclass::text AS name FROM pg_index i WHERE i.indrelid = $1::regclass AND NOT i.indisprimary', [table])
  for (const { name } of idx.rows) await c.query(`DROP INDEX ${name}`)
  for (const def of defs) await c.query(`CREATE INDEX ON ${table} ${def}`)
}

/** Replaces the default indexes with the reference design's. */
export async function useReferenceIndexes (c: pg.Client, target: LogTarget): Promise<void> {
  await replaceIndexes(c, target, REFERENCE_INDEXES)
}

/** The reference design's queries, with values that exist in the loaded data. */
function queries (table: string): Array<[string, string]> {
  const r = record(1234)
  return [
    ['by request id', `SELECT * FROM ${table} WHERE request_id = '${r.request_id as string}' ORDER BY "timestamp"`],
    ['by user, newest first', `SELECT * FROM ${table} WHERE user_id = 'user-5' ORDER BY "timestamp" DESC LIMIT 100`],
    ['errors in the last day', `SELECT * FROM ${table} WHERE level = 'error' AND "timestamp" > now() - interval '1 day' ORDER BY "timestamp" DESC LIMIT 100`],
    ['by logger, newest first', `SELECT * FROM ${table} WHERE logger = 'payments' ORDER BY "timestamp" DESC LIMIT 100`],
    ['by path, newest first', `SELECT * FROM ${table} WHERE path = '/api/v1/orders/42/items' ORDER BY "timestamp" DESC LIMIT 100`],
    ['context containment', `SELECT * FROM ${table} WHERE context @> '{"tenant":"tenant-3","region":"eu-west-1"}' ORDER BY "timestamp" DESC LIMIT 100`],
    ['newest first', `SELECT * FROM ${table} ORDER BY "timestamp" DESC LIMIT 100`]
  ]
}

/** Median execution time of nine EXPLAIN ANALYZE runs, and the plan's first nodes. */
async function latency (c: pg.Client, sql: string): Promise<{ ms: number, plan: string }> {
  const times: number[] = []
  let plan = ''
  for (let i = 0; i < 9; i++) {
    const r = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`)
    const top = r.rows[0]['QUERY PLAN'][0]
    times.push(top['Execution Time'])
    plan = nodes(top.Plan).join(' > ')
  }
  times.sort((a, b) => a - b)
  return { ms: times[4], plan }
}

function nodes (plan: { 'Node Type': string, 'Index Name'?: string, Plans?: unknown[] }): string[] {
  const here = plan['Node Type'] + (plan['Index Name'] ? ` (${plan['Index Name'].replace(/^system_logs_\d{4}_\d{2}_/, '')})` : '')
  const kids = (plan.Plans ?? []).slice(0, 1).flatMap(p => nodes(p as typeof plan))
  return [here, ...kids].slice(0, 4)
}

export async function indexSetScenario (url: string, copyRows: number, queryRows: number): Promise<Result[]> {
  const { copyText } = prebuilt(Math.max(copyRows, queryRows))
  // Best of two runs each, alternating, so one noisy run on a shared machine does not decide.
  let ours = 0
  let reference = 0
  for (let i = 0; i < 2; i++) {
    ours = Math.max(ours, await rawCopy(url, copyText.slice(0, copyRows)))
    reference = Math.max(reference, await rawCopy(url, copyText.slice(0, copyRows), useReferenceIndexes))
  }
  const results: Result[] = [
    { scenario: 'index set', variant: 'COPY ceiling, reference index set', value: reference, unit: 'rows/s' },
    { scenario: 'index set', variant: 'COPY ceiling, default index set', value: ours, unit: 'rows/s', ratio: { to: 'reference set', value: ours / reference }, target: '>= 2x reference set', pass: ours / reference >= 2 }
  ]
  const c = await client(url)
  const loaded: Record<string, { target: LogTarget, table: string }> = {}
  for (const set of ['default', 'reference'] as const) {
    const target = await freshTarget(c)
    if (set === 'reference') await useReferenceIndexes(c, target)
    await loadChunks(c, target, copyChunks(copyText.slice(0, queryRows)))
    // Statistics from a large sample: with the default (100), the estimate for the containment query
    // (2% of the rows) comes out near zero after about one ANALYZE in seven, with either index set,
    // and the planner then reads every match through the GIN instead of the newest rows through the
    // timestamp index, 100x slower. The comparison is of the index sets, not of ANALYZE's sample.
    await c.query('SET default_statistics_target = 1000')
    await c.query(`VACUUM ANALYZE ${qualifiedTable(target)}`)
    await c.query('RESET default_statistics_target')
    loaded[set] = { target, table: qualifiedTable(target) }
  }
  for (const [name] of queries('x')) {
    const sqlFor = (set: 'default' | 'reference'): string => queries(loaded[set].table).find(q => q[0] === name)![1]
    await latency(c, sqlFor('reference'))
    await latency(c, sqlFor('default'))
    const ref = await latency(c, sqlFor('reference'))
    const our = await latency(c, sqlFor('default'))
    results.push({
      scenario: `queries at ${queryRows} rows`,
      variant: name,
      value: our.ms,
      unit: 'ms',
      ratio: { to: 'reference set', value: our.ms / ref.ms },
      target: '<= 1.5x reference set',
      pass: our.ms <= 1.5 * ref.ms,
      note: `reference ${ref.ms.toFixed(2)} ms; plan: ${our.plan} | reference plan: ${ref.plan}`
    })
  }
  for (const { target } of Object.values(loaded)) await dropTarget(c, target)
  await c.end()
  return results
}
