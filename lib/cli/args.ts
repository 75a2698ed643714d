import { parseArgs, type ParseArgsConfig } from 'node:util'
import pg from 'pg'
import { connectionConfig, redactUrl } from '../connection.js'
import { type LogTarget, logTarget } from '../identifiers.js'

/** A usage mistake: printed with the command's help, exit code 2. */
export class UsageError extends Error {}

/** A failure the user can act on: printed as is, exit code 1. */
export class CliError extends Error {}

export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  schema: { type: 'string', default: 'public' },
  table: { type: 'string', default: 'system_logs' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies ParseArgsConfig['options']

export const CONNECTION_HELP = `  --url URL        PostgreSQL URL (default: DATABASE_URL, else the PG* variables)
  --schema NAME    schema of the log table (default public)
  --table NAME     log table (default system_logs)
  -h, --help       this help`

type Parsed<O extends ParseOptions> = ReturnType<typeof parseArgs<{ args: string[], options: O, allowPositionals: false, strict: true }>>
type ParseOptions = NonNullable<ParseArgsConfig['options']>

export function parse<O extends ParseOptions> (argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export function targetFrom (values: { schema?: string, table?: string }): LogTarget {
  try {
    return logTarget(values.schema, values.table)
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^curator-log: /, '--'))
  }
}

/** Connects, turning pg's errors into ones that say what to check. */
export async function connectClient (url: string | undefined): Promise<pg.Client> {
  let config
  try {
    config = connectionConfig(url, 'curator-log cli')
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
  } catch (err) {
    const where = config.connectionString ? redactUrl(config.connectionString) : 'the server named by the PG* variables'
    throw new CliError(`cannot connect to ${where}: ${(err as Error).message || (err as { code?: string }).code}`)
  }
  return client
}

/** An integer option within bounds, or a UsageError naming it. */
export function intOption (name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value)
  if (value === undefined || !/^-?\d+$/.test(value) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got ${value}`)
  return n
}

/** Turns "relation/function/schema does not exist" into advice to run migrate. */
export async function explainMissing<T> (target: LogTarget, work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === '42P01' || code === '3F000' || code === '42883') {
      throw new CliError(`${target.schema}.${target.table} is not set up (${(err as Error).message}): run curator-log migrate first`)
    }
    throw err
  }
}
