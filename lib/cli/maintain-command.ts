import { maintainPartitions } from '../partition-maintenance.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, UsageError, connectClient, explainMissing, intOption, parse, targetFrom } from './args.js'

export const maintainHelp = `curator-log maintain [options]

Runs partition maintenance now: creates the partitions from last month through --months-ahead months
ahead, and drops (or detaches) the partitions whose whole range is older than --retention-days. Safe to
run from many processes at once (an advisory lock serialises them). Prints what it created and dropped.

  --months-ahead N     months of partitions ahead of this one (default 3)
  --retention-days N   drop partitions entirely older than this; 0 keeps everything (default 90)
  --detach             detach expired partitions (kept as tables) instead of dropping them
  --now TIME           act as if it were this time (ISO 8601), e.g. to prepare for a month ahead
${CONNECTION_HELP}`

export async function maintainCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, {
    ...CONNECTION_OPTIONS,
    'months-ahead': { type: 'string', default: '3' },
    'retention-days': { type: 'string', default: '90' },
    detach: { type: 'boolean', default: false },
    now: { type: 'string' }
  })
  if (values.help) {
    out.write(maintainHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const monthsAhead = intOption('--months-ahead', values['months-ahead'], 0, 120)
  const retentionDays = intOption('--retention-days', values['retention-days'], 0, 1_000_000)
  const now = values.now === undefined ? Date.now() : Date.parse(values.now)
  if (Number.isNaN(now)) throw new UsageError(`--now must be an ISO 8601 time, got ${values.now}`)
  const client = await connectClient(values.url)
  try {
    const r = await explainMissing(target, maintainPartitions(client, target, { monthsAhead, retentionDays, detach: values.detach }, now))
    for (const p of r.created) out.write(`created ${p}\n`)
    for (const p of r.dropped) out.write(`${values.detach ? 'detached' : 'dropped'} ${p}\n`)
    out.write(`${target.schema}.${target.table}: ${r.created.length} created, ${r.dropped.length} ${values.detach ? 'detached' : 'dropped'}, ${r.partitions.length} partitions (${r.partitions[0]?.name ?? '-'} … ${r.partitions.at(-1)?.name ?? '-'})\n`)
  } finally {
    await client.end()
  }
}
