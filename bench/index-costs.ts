// What each index costs a COPY, as PostgreSQL backend CPU per row (steadier than wall time on a shared
// machine): `node --import tsx bench/index-costs.ts` (a throwaway server, or DATABASE_URL); with
// `--alternatives`, index sets we considered instead of the default one too. Not part of `npm run bench`;
// it explains the index-set figure.
import { startThrowawayPostgres } from '../lib/dev/throwaway-postgres.js'
import { qualifiedTable, quoteIdent } from '../lib/core/identifiers.js'
import { client, dropTarget, freshTarget, processCpuMs } from './harness.js'
import { REFERENCE_INDEXES, replaceIndexes } from './index-sets.js'
import { copyChunks, loadChunks, prebuilt } from './ingest.js'

const ROWS = 100_000
const DEFAULT_INDEXES = [
  '("timestamp" DESC)', 'USING hash (request_id)', 'USING hash (user_id)', 'USING hash (path)',
  '(level, "timestamp" DESC) WHERE level IN (\'warn\', \'error\', \'fatal\')', 'USING gin (context jsonb_path_ops)'
]
const [TIMESTAMP, REQUEST, USER, PATH, LEVELS, CONTEXT] = DEFAULT_INDEXES

interface Variant {
  defs: string[]
  /** Columns of the primary key, when not the schema's (id, "timestamp"). */
  primaryKey?: string
  /** An extension the variant needs; the variant is skipped where it cannot be created. */
  extension?: string
}

const VARIANTS: Record<string, Variant> = {
  'primary key only': { defs: [] },
  'default set': { defs: DEFAULT_INDEXES },
  'reference set': { defs: REFERENCE_INDEXES },
  ...Object.fromEntries(DEFAULT_INDEXES.map(d => [`primary key + ${d}`, { defs: [d] }]))
}

const ALTERNATIVES: Record<string, Variant> = {
  'default set, btrees for user_id and path': { defs: [TIMESTAMP, REQUEST, '(user_id)', '(path)', LEVELS, CONTEXT] },
  'default set, btrees (user_id, "timestamp") and (path, "timestamp")': { defs: [TIMESTAMP, REQUEST, '(user_id, "timestamp" DESC)', '(path, "timestamp" DESC)', LEVELS, CONTEXT] },
  'default set, GIN with fastupdate off': { defs: [TIMESTAMP, REQUEST, USER, PATH, LEVELS, CONTEXT + ' WITH (fastupdate = off)'] },
  'default set, primary key ("timestamp", id) instead of the timestamp btree': { defs: [REQUEST, USER, PATH, LEVELS, CONTEXT], primaryKey: '"timestamp", id' },
  'one GIN for context and the lookup columns (btree_gin), timestamp btree, level index': { defs: [TIMESTAMP, LEVELS, 'USING gin (context jsonb_path_ops, request_id, user_id, path)'], extension: 'btree_gin' }
}

let url = process.env.DATABASE_URL
const server = url ? undefined : await startThrowawayPostgres()
url ??= server!.url
try {
  const { copyText } = prebuilt(ROWS)
  const chunks = copyChunks(copyText)
  const admin = await client(url)
  const variants = process.argv.includes('--alternatives') ? { ...VARIANTS, ...ALTERNATIVES } : VARIANTS
  for (const [name, v] of Object.entries(variants)) {
    if (v.extension === undefined) continue
    try {
      await admin.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(v.extension)}`)
    } catch (err) {
      process.stdout.write(`skipped (${v.extension}: ${(err as Error).message}): ${name}\n`)
      delete variants[name]
    }
  }
  const best = new Map<string, number>()
  for (let round = 0; round < 3; round++) {
    for (const [name, v] of Object.entries(variants)) {
      const target = await freshTarget(admin)
      const table = qualifiedTable(target)
      if (v.primaryKey !== undefined) {
        const { rows } = await admin.query('SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = \'p\'', [table])
        await admin.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(rows[0].conname as string)}, ADD PRIMARY KEY (${v.primaryKey})`)
      }
      await replaceIndexes(admin, target, v.defs)
      const loader = await client(url)
      const pid = (await loader.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
      const before = processCpuMs(pid)
      await loadChunks(loader, target, chunks)
      const us = (processCpuMs(pid) - before) * 1000 / ROWS
      best.set(name, Math.min(best.get(name) ?? Infinity, us))
      await loader.end()
      await dropTarget(admin, target)
    }
  }
  await admin.end()
  for (const [name, us] of best) process.stdout.write(`${us.toFixed(1).padStart(6)} µs/row  ${name}\n`)
} finally {
  await server?.destroy()
}
