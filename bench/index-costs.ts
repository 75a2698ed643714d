// What each index costs a COPY, as PostgreSQL backend CPU per row (steadier than wall time on a shared
// machine): `node --import tsx bench/index-costs.ts` (a throwaway server, or DATABASE_URL). Not part of
// `npm run bench`; it explains the index-set figure.
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { from as copyFrom } from 'pg-copy-streams'
import { startThrowawayPostgres } from '../lib/dev/throwaway-postgres.js'
import { qualifiedTable, quoteIdent } from '../lib/identifiers.js'
import { COLUMNS } from '../transport/columns.js'
import { client, dropTarget, freshTarget } from './harness.js'
import { REFERENCE_INDEXES, replaceIndexes } from './index-sets.js'
import { copyChunks, prebuilt } from './ingest.js'

const ROWS = 100_000
const DEFAULT_INDEXES = [
  '("timestamp" DESC)', 'USING hash (request_id)', 'USING hash (user_id)', 'USING hash (path)',
  '(level, "timestamp" DESC) WHERE level IN (\'warn\', \'error\', \'fatal\')', 'USING gin (context jsonb_path_ops)'
]
const VARIANTS: Record<string, string[]> = {
  'primary key only': [],
  'default set': DEFAULT_INDEXES,
  'reference set': REFERENCE_INDEXES,
  ...Object.fromEntries(DEFAULT_INDEXES.map(d => [`primary key + ${d}`, [d]]))
}

/** CPU time (ms) a backend has used, from /proc (the server runs on this machine). */
function backendCpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

let url = process.env.DATABASE_URL
const server = url ? undefined : await startThrowawayPostgres()
url ??= server!.url
try {
  const { copyText } = prebuilt(ROWS)
  const chunks = copyChunks(copyText)
  const admin = await client(url)
  const best = new Map<string, number>()
  for (let round = 0; round < 3; round++) {
    for (const [name, defs] of Object.entries(VARIANTS)) {
      const target = await freshTarget(admin)
      const table = qualifiedTable(target)
      await replaceIndexes(admin, target, defs)
      const loader = await client(url)
      const pid = (await loader.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
      const before = backendCpuMs(pid)
      await pipeline(Readable.from(chunks), loader.query(copyFrom(`COPY ${table} (${COLUMNS.map(quoteIdent).join(', ')}) FROM STDIN`)))
      const us = (backendCpuMs(pid) - before) * 1000 / ROWS
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
