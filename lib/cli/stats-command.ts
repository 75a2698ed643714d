import { quoteIdent, qualifiedTable } from '../identifiers.js'
import { listPartitions } from '../partition-maintenance.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectClient, explainMissing, parse, targetFrom } from './args.js'

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
  const client = await connectClient(values.url)
  try {
    const partitions = await explainMissing(target, listPartitions(client, target))
    out.write(`${target.schema}.${target.table}\n\npartition                        from         to              rows        size\n`)
    let total = 0
    for (const p of partitions) {
      const r = await client.query(`SELECT count(*)::bigint AS n, pg_total_relation_size($1::regclass) AS bytes FROM ${quoteIdent(target.schema)}.${quoteIdent(p.name)}`, [`${quoteIdent(target.schema)}.${quoteIdent(p.name)}`])
      total += Number(r.rows[0].n)
      out.write(`${p.name.padEnd(32)} ${day(p.from)}   ${day(p.to)}   ${String(r.rows[0].n).padStart(10)}  ${size(Number(r.rows[0].bytes)).padStart(10)}\n`)
    }
    const range = await client.query(`SELECT min("timestamp") AS oldest, max("timestamp") AS newest FROM ${table}`)
    out.write(`\ntotal rows ${total}; oldest ${range.rows[0].oldest?.toISOString() ?? '-'}; newest ${range.rows[0].newest?.toISOString() ?? '-'}\n`)
    const levels = await client.query(`SELECT level, count(*)::bigint AS n FROM ${table} WHERE "timestamp" >= now() - interval '1 hour' GROUP BY level ORDER BY count(*) DESC`)
    out.write('last hour: ' + (levels.rows.length ? levels.rows.map(r => `${r.level}=${r.n}`).join(' ') : 'no rows') + '\n')
  } finally {
    await client.end()
  }
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
