import { migrate } from '../database/migrate.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, CliError, parse, targetFrom, withClient } from './args.js'

export const migrateHelp = `curator-log migrate [options]

Creates the log table, its partition functions and the partitions of this month and the next three,
applying each pending schema file in its own transaction. Then checks the catalog for what they create
and creates again whatever is missing (a dropped table, batch-marker table, function, index or partition). Applying again
is a no-op. Run it as the role that owns the table (see docs/operations.md, Roles).

${CONNECTION_HELP}`

export async function migrateCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, CONNECTION_OPTIONS)
  if (values.help) {
    out.write(migrateHelp + '\n')
    return
  }
  const target = targetFrom(values)
  await withClient(values.url, { target, need: 'owner' }, async client => {
    const result = await migrate(client, target)
    for (const name of result.applied) out.write(`applied ${name}\n`)
    for (const what of result.repaired) out.write(`created again: ${what}\n`)
    if (result.missing.length > 0) throw new CliError(result.missing.join('; '))
    out.write(result.applied.length === 0 && result.repaired.length === 0
      ? `${target.schema}.${target.table} is up to date (${result.alreadyApplied.length} migrations applied before)\n`
      : `${target.schema}.${target.table}: ${result.applied.length} migration(s) applied\n`)
  })
}
