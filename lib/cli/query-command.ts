import { qualifiedTable } from '../core/identifiers.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, intOption, parse, targetFrom, withClient } from './args.js'
import { FILTER_HELP, FILTER_OPTIONS, buildFilters } from './log-filters.js'
import { OUTPUT_HELP, lineWriter } from './log-output.js'

export const queryHelp = `curator-log query [filters] [options]

Prints the newest matching rows, oldest first.

${FILTER_HELP}
  --limit N          at most N rows (default 100)
${OUTPUT_HELP}
${CONNECTION_HELP}`

export const OUTPUT_OPTIONS = { pretty: { type: 'boolean' }, json: { type: 'boolean' } } as const

export async function queryCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, { ...CONNECTION_OPTIONS, ...FILTER_OPTIONS, ...OUTPUT_OPTIONS, limit: { type: 'string', default: '100' } })
  if (values.help) {
    out.write(queryHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const limit = intOption('limit', values.limit, 1, 1_000_000)
  const { where, params } = buildFilters(values)
  const write = lineWriter(out, values.json ? false : values.pretty)
  await withClient(values.url, { target, need: 'read' }, async client => {
    const sql = `SELECT * FROM (SELECT * FROM ${qualifiedTable(target)}${where.length ? ' WHERE ' + where.join(' AND ') : ''}
      ORDER BY "timestamp" DESC, id DESC LIMIT ${limit}) newest ORDER BY "timestamp", id`
    const r = await client.query(sql, params)
    for (const row of r.rows) write(row)
  })
}
