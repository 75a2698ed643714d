import { once } from 'node:events'
import { qualifiedTable } from '../identifiers.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectClient, explainMissing, intOption, parse, targetFrom } from './args.js'
import { FILTER_HELP, FILTER_OPTIONS, buildFilters } from './log-filters.js'
import { OUTPUT_HELP, lineWriter } from './log-output.js'
import { OUTPUT_OPTIONS } from './query-command.js'

export const tailHelp = `curator-log tail [filters] [options]

Prints the last --lines matching rows, then follows new rows as they commit, until interrupted.

${FILTER_HELP}
  --lines N          rows shown before following (default 10)
  --interval-ms N    how often to look for new rows (default 500)
${OUTPUT_HELP}
${CONNECTION_HELP}`

// Ids come from one sequence but concurrent writers commit out of order: look back this far and
// remember what was printed, so a late commit is shown once and never skipped.
const LOOK_BACK_IDS = 20_000n

export async function tailCommand (argv: string[], out: NodeJS.WritableStream, signal?: AbortSignal): Promise<void> {
  const { values } = parse(argv, { ...CONNECTION_OPTIONS, ...FILTER_OPTIONS, ...OUTPUT_OPTIONS, lines: { type: 'string', default: '10' }, 'interval-ms': { type: 'string', default: '500' } })
  if (values.help) {
    out.write(tailHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const lines = intOption('--lines', values.lines, 0, 100_000)
  const interval = intOption('--interval-ms', values['interval-ms'], 10, 3_600_000)
  const { where, params } = buildFilters(values)
  const write = lineWriter(out, values.json ? false : values.pretty)
  const stop = signal ?? interruptSignal()
  const table = qualifiedTable(target)
  const client = await connectClient(values.url)
  try {
    const cond = where.length ? where.join(' AND ') + ' AND ' : ''
    const first = await explainMissing(target, client.query(`SELECT * FROM (SELECT * FROM ${table} WHERE ${cond}true ORDER BY id DESC LIMIT ${lines}) last ORDER BY id`, params))
    const max = await client.query(`SELECT coalesce(max(id), 0)::text AS id FROM ${table}`)
    let high = BigInt(max.rows[0].id)
    const floor = (): bigint => high > LOOK_BACK_IDS ? high - LOOK_BACK_IDS : 0n
    // Rows already there when tail starts are not news, whatever their id.
    const before = await client.query(`SELECT id::text AS id FROM ${table} WHERE id > $1`, [floor().toString()])
    const seen = new Set<string>(before.rows.map(r => r.id as string))
    for (const row of first.rows) write(row)
    while (!stop.aborted) {
      await Promise.race([new Promise(resolve => setTimeout(resolve, interval)), once(stop, 'abort')])
      if (stop.aborted) break
      const low = floor()
      const r = await client.query(`SELECT * FROM ${table} WHERE ${cond}id > $${params.length + 1} ORDER BY id`, [...params, low.toString()])
      for (const row of r.rows) {
        const id = String(row.id)
        if (seen.has(id)) continue
        seen.add(id)
        write(row)
        if (BigInt(id) > high) high = BigInt(id)
      }
      for (const id of seen) if (BigInt(id) <= low) seen.delete(id)
    }
  } finally {
    await client.end()
  }
}

function interruptSignal (): AbortSignal {
  const ac = new AbortController()
  process.once('SIGINT', () => ac.abort())
  process.once('SIGTERM', () => ac.abort())
  return ac.signal
}
