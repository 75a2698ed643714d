import { maintainPartitions } from '../database/partition-maintenance.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, UsageError, intOption, parse, targetFrom, withClient } from './args.js'

export const maintainHelp = `curator-log maintain [options]

Runs partition maintenance now: creates the partitions from last month through --months-ahead months
ahead, and drops (or detaches) the partitions whose whole range is older than --retention-days. Safe to
run from many processes at once (an advisory lock serialises them). Prints what it created and dropped.
Retention is always measured from the real clock, whatever --now says.

  --months-ahead N     months of partitions ahead of this one (default 3)
  --retention-days N   drop partitions entirely older than this; 0 keeps everything (default 90)
  --detach             detach expired partitions (kept as tables) instead of dropping them
  --now TIME           make partitions around this time (ISO 8601), e.g. to prepare for a month
                       ahead; it does not move retention, which counts from the real clock
  --dry-run            print what would be created and dropped, and change nothing
${CONNECTION_HELP}`

export async function maintainCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, {
    ...CONNECTION_OPTIONS,
    'months-ahead': { type: 'string', default: '3' },
    'retention-days': { type: 'string', default: '90' },
    detach: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    now: { type: 'string' }
  })
  if (values.help) {
    out.write(maintainHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const monthsAhead = intOption('months-ahead', values['months-ahead'], 0, 120)
  const retentionDays = intOption('retention-days', values['retention-days'], 0, 1_000_000)
  const now = values.now === undefined ? Date.now() : Date.parse(values.now)
  if (Number.isNaN(now)) throw new UsageError(`--now must be an ISO 8601 time, got ${values.now}`)
  // Creating and dropping partitions is DDL: only the owner may, so a refusal names the owner, not grants.
  await withClient(values.url, { target, need: 'owner' }, async client => {
    const dryRun = values['dry-run']
    const r = await maintainPartitions(client, target, { monthsAhead, retentionDays, detach: values.detach }, { now, dryRun })
    const [create, drop] = dryRun
      ? ['would create', `would ${values.detach ? 'detach' : 'drop'}`]
      : ['created', values.detach ? 'detached' : 'dropped']
    for (const p of r.created) out.write(`${create} ${p}\n`)
    for (const p of r.dropped) out.write(`${drop} ${p}\n`)
    const summary = `${r.created.length} ${create}, ${r.dropped.length} ${drop}`
    // Listed inside the same transaction: after the drops, before a dry run's rollback.
    const kept = r.partitions
    out.write(`${target.schema}.${target.table}: ${summary}, ${kept.length} partitions${dryRun ? ' after it' : ''} (${kept[0]?.name ?? '-'} … ${kept.at(-1)?.name ?? '-'})${dryRun ? '; dry run, nothing changed' : ''}\n`)
  })
}
