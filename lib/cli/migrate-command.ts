import { migrate } from '../migrate.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectClient, parse, targetFrom } from './args.js'

export const migrateHelp = `curator-log migrate [options]

Creates the log table, its partition functions and the partitions of this month and the next three,
applying each pending schema file in its own transaction. Applying again is a no-op.

${CONNECTION_HELP}`

export async function migrateCommand (argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parse(argv, CONNECTION_OPTIONS)
  if (values.help) {
    out.write(migrateHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const client = await connectClient(values.url)
  try {
    const result = await migrate(client, target)
    for (const name of result.applied) out.write(`applied ${name}\n`)
    out.write(result.applied.length === 0
      ? `${target.schema}.${target.table} is up to date (${result.alreadyApplied.length} migrations applied before)\n`
      : `${target.schema}.${target.table}: ${result.applied.length} migration(s) applied\n`)
  } finally {
    await client.end()
  }
}
