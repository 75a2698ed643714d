import type pg from 'pg'
import { type LogTarget, qualifiedTable } from '../lib/core/identifiers.js'
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
    // One row in 2 000: read through the GIN in both sets (the line above is 2%, which both read newest first).
    ['context containment, selective', `SELECT * FROM ${table} WHERE context @> '{"order_id":42}' ORDER BY "timestamp" DESC LIMIT 100`],
    ['newest first', `SELECT * FROM ${table} ORDER BY "timestamp" DESC LIMIT 100`]
  ]
}

interface Latency { ms: number, plan: string }

/**
 * Median execution times of the same query on two tables, from EXPLAIN ANALYZE runs taken in turns
 * (a noisy neighbour on a shared machine then slows both, not one), after two runs each to warm the
 * caches; with the plans' first nodes. Per-node timing is off: its clock calls are overhead, not index.
 */
async function latencies (c: pg.Client, sqlA: string, sqlB: string): Promise<[Latency, Latency]> {
  const runs: Array<{ times: number[], plan: string }> = [{ times: [], plan: '' }, { times: [], plan: '' }]
  for (let i = 0; i < 13; i++) {
    for (const [k, sql] of [sqlA, sqlB].entries()) {
      const r = await c.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`)
      const top = r.rows[0]['QUERY PLAN'][0]
      if (i >= 2) runs[k].times.push(top['Execution Time'])
      runs[k].plan = nodes(top.Plan).join(' > ')
    }
  }
  return runs.map(({ times, plan }) => ({ ms: times.sort((a, b) => a - b)[times.length >> 1], plan })) as [Latency, Latency]
}

function nodes (plan: { 'Node Type': string, 'Index Name'?: string, Plans?: unknown[] }): string[] {
  const here = plan['Node Type'] + (plan['Index Name'] ? ` (${plan['Index Name'].replace(/^system_logs_\d{4}_\d{2}_/, '')})` : '')
  const kids = (plan.Plans ?? []).slice(0, 1).flatMap(p => nodes(p as typeof plan))
  return [here, ...kids].slice(0, 4)
}

/**
 * Analyzes `a` and gives `b`, which holds the same rows, the same planner statistics, so that where
 * the two plans differ it is for their indexes and not for ANALYZE's random sample. That sample makes
 * `@>` estimates swing: a jsonb histogram of whole values holds a match for a query that matches 2%
 * of the rows or it does not (about one ANALYZE in seven), and the planner then reads the newest rows
 * through the timestamp index or every match through the GIN, 100x apart; analyzed separately, one
 * table could get one plan and the other the other. Copying needs PostgreSQL 18
 * (pg_restore_attribute_stats); before it, `b` gets its own ANALYZE and the result is false.
 */
async function analyzeAlike (c: pg.Client, a: LogTarget, b: LogTarget): Promise<boolean> {
  await c.query(`VACUUM ANALYZE ${qualifiedTable(a)}`)
  const { rows } = await c.query('SELECT to_regproc(\'pg_catalog.pg_restore_attribute_stats\') IS NOT NULL AS ok')
  if (rows[0].ok !== true) {
    await c.query(`VACUUM ANALYZE ${qualifiedTable(b)}`)
    return false
  }
  // Vacuumed all the same: a visibility map like a's, and no autovacuum starting mid-run.
  await c.query(`VACUUM ${qualifiedTable(b)}`)
  await c.query(`SELECT pg_catalog.pg_restore_relation_stats('schemaname', $2::text, 'relname', relname::text,
      'relpages', relpages, 'reltuples', reltuples, 'relallvisible', relallvisible)
    FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r'`, [a.schema, b.schema])
  await c.query(`SELECT pg_catalog.pg_restore_attribute_stats('schemaname', $2::text, 'relname', tablename::text,
      'attname', attname::text, 'inherited', inherited, 'null_frac', null_frac, 'avg_width', avg_width,
      'n_distinct', n_distinct, 'most_common_vals', most_common_vals::text, 'most_common_freqs', most_common_freqs,
      'histogram_bounds', histogram_bounds::text, 'correlation', correlation, 'most_common_elems', most_common_elems::text,
      'most_common_elem_freqs', most_common_elem_freqs, 'elem_count_histogram', elem_count_histogram)
    FROM pg_stats WHERE schemaname = $1`, [a.schema, b.schema])
  return true
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
    loaded[set] = { target, table: qualifiedTable(target) }
  }
  const sameStatistics = await analyzeAlike(c, loaded.default.target, loaded.reference.target)
  for (const [name] of queries('x')) {
    const sqlFor = (set: 'default' | 'reference'): string => queries(loaded[set].table).find(q => q[0] === name)![1]
    const [ref, our] = await latencies(c, sqlFor('reference'), sqlFor('default'))
    results.push({
      scenario: `queries at ${queryRows} rows`,
      variant: name,
      value: our.ms,
      unit: 'ms',
      ratio: { to: 'reference set', value: our.ms / ref.ms },
      target: '<= 1.5x reference set',
      pass: our.ms <= 1.5 * ref.ms,
      note: `reference ${ref.ms.toFixed(2)} ms; plan: ${our.plan} | reference plan: ${ref.plan}${sameStatistics ? '' : ' (each table analyzed on its own: PostgreSQL before 18 cannot copy statistics)'}`
    })
  }
  for (const { target } of Object.values(loaded)) await dropTarget(c, target)
  await c.end()
  return results
}
