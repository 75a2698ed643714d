#!/usr/bin/env node
import { createRequire } from 'node:module'
import { inspect } from 'node:util'
import { warnIfUnsupportedNode } from '../core/node-support.js'
import { nearestName } from '../core/validate.js'
import { CliError, UsageError, databaseError } from './errors.js'
import { demoCommand, demoHelp } from './demo-command.js'
import { maintainCommand, maintainHelp } from './maintain-command.js'
import { migrateCommand, migrateHelp } from './migrate-command.js'
import { queryCommand, queryHelp } from './query-command.js'
import { commandLineSecrets, scrubbedStream } from './secrets.js'
import { statsCommand, statsHelp } from './stats-command.js'
import { tailCommand, tailHelp } from './tail-command.js'

type Command = (argv: string[], out: NodeJS.WritableStream, signal?: AbortSignal) => Promise<void>

// A Map, not an object: a name typed on the command line (`__proto__`, `toString`) must not find
// Object.prototype's members.
const COMMANDS = new Map<string, { run: Command, help: string }>([
  ['migrate', { run: migrateCommand, help: migrateHelp }],
  ['maintain', { run: maintainCommand, help: maintainHelp }],
  ['query', { run: queryCommand, help: queryHelp }],
  ['tail', { run: tailCommand, help: tailHelp }],
  ['stats', { run: statsCommand, help: statsHelp }],
  ['demo', { run: demoCommand, help: demoHelp }]
])

const HELP = `curator-log <command> [options]

Commands:
  migrate   create or update the log table and its partition functions
  maintain  create the coming months' partitions and drop expired ones, now
  query     print matching rows (filters: request, user, level, logger, path, time, context, text)
  tail      print the last rows, then follow new ones as they commit
  stats     rows and size per partition, oldest and newest row, levels in the last hour
  demo      log a burst of requests into PostgreSQL (--url or DATABASE_URL) and print one request's
            rows back; in a clone of the repository, npm run demo starts a throwaway PostgreSQL

Run curator-log <command> --help for a command's options; --debug prints the stack trace of a failure;
-v, --version prints the version.`

/** Runs the command line; resolves with the exit code. */
export async function main (argv: string[], out: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr, signal?: AbortSignal): Promise<number> {
  const err = scrubbedStream(stderr, commandLineSecrets(argv))
  warnIfUnsupportedNode(err)
  const debug = argv.includes('--debug')
  const [name, ...rest] = argv.filter(a => a !== '--debug')
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.write(HELP + '\n')
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v') {
    out.write(packageVersion() + '\n')
    return 0
  }
  const command = COMMANDS.get(name)
  if (!command) {
    const near = nearestName(name, [...COMMANDS.keys()])
    err.write(`curator-log: unknown command ${JSON.stringify(name)}${near === undefined ? '' : ` (did you mean ${near}?)`}; see curator-log --help\n`)
    return 2
  }
  // A reader that went away (`query | head`) takes nothing more: that ends the output, not the command
  // with a stack trace. Any other output failure is reported.
  let outputFailed: Error | undefined
  const onOutputError = (e: NodeJS.ErrnoException): void => { if (e.code !== 'EPIPE') outputFailed ??= e }
  out.on('error', onOutputError)
  try {
    await command.run(rest, out, signal)
    if (outputFailed) throw new CliError(`cannot write the output: ${outputFailed.message}`)
    return 0
  } catch (caught) {
    const e = databaseError(caught)
    const [line, code] = e instanceof UsageError
      ? [`${e.message}\nsee curator-log ${name} --help`, 2]
      : e instanceof CliError
        ? [e.message, 1]
        : [`unexpected error: ${e instanceof Error ? e.message : inspect(e)} (--debug shows where)`, 1]
    const stack = debug ? '\n' + inspect((e as Error).cause ?? e) : ''
    err.write(`curator-log ${name}: ${line}${stack}\n`)
    return code
  } finally {
    // Writes still buffered may fail after this returns: the listener stays, so they cannot crash.
    if (out !== process.stdout) out.off('error', onOutputError)
  }
}

/** package.json's version, found by the package's own name: the same from lib/ (tests) and dist/. */
function packageVersion (): string {
  return (createRequire(import.meta.url)('curator-log/package.json') as { version: string }).version
}

const entry = process.argv[1]
if (entry && import.meta.url === (await import('node:url')).pathToFileURL((await import('node:fs')).realpathSync(entry)).href) {
  process.exitCode = await main(process.argv.slice(2))
}
