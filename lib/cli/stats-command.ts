import { quoteIdent, qualifiedTable } from '../core/identifiers.js'
import { listPartitions } from '../database/partition-maintenance.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, parse, targetFrom, withClient } from './args.js'

export const statsHelp = `curator-log stats [options]

Rows and size of each partition, the oldest and newest row, and rows per level in the last hour.

${CONNECTION_HELP}`

export async function statsCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, CONNECTION_OPTIONS)
  if (values.help) {
    out.write(statsHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const table = qualifiedTable(target)
  await withClient(values.url, { target, need: 'read' }, async client => {
    const partitions = await listPartitions(client, target)
    // Counted through the parent, so SELECT on the table is all a reader needs.
    const counts = await client.query<{ part: string, n: string }>(`SELECT c.relname AS part, n FROM (SELECT tableoid, count(*)::bigint AS n FROM ${table} GROUP BY 1) t JOIN pg_class c ON c.oid = t.tableoid`)
    const rows = new Map(counts.rows.map(r => [r.part, Number(r.n)]))
    out.write(`${target.schema}.${target.table}\n\npartition                        from         to              rows        size\n`)
    let total = 0
    for (const p of partitions) {
      const name = `${quoteIdent(target.schema)}.${quoteIdent(p.name)}`
      const n = rows.get(p.name) ?? 0
      const r = await client.query('SELECT pg_total_relation_size($1::regclass) AS bytes', [name])
      total += n
      out.write(`${p.name.padEnd(32)} ${day(p.from)}   ${day(p.to)}   ${String(n).padStart(10)}  ${size(Number(r.rows[0].bytes)).padStart(10)}\n`)
    }
    const range = await client.query(`SELECT min("timestamp") AS oldest, max("timestamp") AS newest FROM ${table}`)
    out.write(`\ntotal rows ${total}; oldest ${range.rows[0].oldest?.toISOString() ?? '-'}; newest ${range.rows[0].newest?.toISOString() ?? '-'}\n`)
    const levels = await client.query(`SELECT level, count(*)::bigint AS n FROM ${table} WHERE "timestamp" >= now() - interval '1 hour' GROUP BY level ORDER BY count(*) DESC`)
    out.write('last hour: ' + (levels.rows.length ? levels.rows.map(r => `${r.level}=${r.n}`).join(' ') : 'no rows') + '\n')
  })
}

function day (d: Date): string {
  return d.toISOString().slice(0, 10)
}

function size (bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++ }
  return `${bytes.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}
