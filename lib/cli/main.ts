#!/usr/bin/env node
import { inspect } from 'node:util'
import { CliError, UsageError } from './args.js'
import { demoCommand, demoHelp } from './demo-command.js'
import { maintainCommand, maintainHelp } from './maintain-command.js'
import { migrateCommand, migrateHelp } from './migrate-command.js'
import { queryCommand, queryHelp } from './query-command.js'
import { statsCommand, statsHelp } from './stats-command.js'
import { tailCommand, tailHelp } from './tail-command.js'

type Command = (argv: string[], out: NodeJS.WritableStream, signal?: AbortSignal) => Promise<void>

const COMMANDS: Record<string, { run: Command, help: string }> = {
  migrate: { run: migrateCommand, help: migrateHelp },
  maintain: { run: maintainCommand, help: maintainHelp },
  query: { run: queryCommand, help: queryHelp },
  tail: { run: tailCommand, help: tailHelp },
  stats: { run: statsCommand, help: statsHelp },
  demo: { run: demoCommand, help: demoHelp }
}

const HELP = `curator-log <command> [options]

Commands:
  migrate   create or update the log table and its partition functions
  maintain  create the coming months' partitions and drop expired ones, now
  query     print matching rows (filters: request, user, level, logger, path, time, context, text)
  tail      print the last rows, then follow new ones as they commit
  stats     rows and size per partition, oldest and newest row, levels in the last hour
  demo      log through the transport into PostgreSQL (a throwaway one without DATABASE_URL) and read it back

Run curator-log <command> --help for a command's options.`

/** Runs the command line; resolves with the exit code. */
export async function main (argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr, signal?: AbortSignal): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.write(HELP + '\n')
    return name === undefined ? 2 : 0
  }
  const command = COMMANDS[name]
  if (!command) {
    err.write(`curator-log: unknown command ${JSON.stringify(name)}\n\n${HELP}\n`)
    return 2
  }
  try {
    await command.run(rest, out, signal)
    return 0
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`curator-log ${name}: ${e.message}\n\n${command.help}\n`)
      return 2
    }
    err.write(`curator-log ${name}: ${e instanceof CliError ? e.message : e instanceof Error ? e.stack : inspect(e)}\n`)
    return 1
  }
}

const entry = process.argv[1]
if (entry && import.meta.url === (await import('node:url')).pathToFileURL((await import('node:fs')).realpathSync(entry)).href) {
  process.exitCode = await main(process.argv.slice(2))
}
