import { parseArgs, type ParseArgsConfig } from 'node:util'
import pg from 'pg'
import { connectionConfig, describeServer } from '../core/connection.js'
import { ERROR_CODES, isCuratorLogError } from '../core/errors.js'
import { integer, nearestName } from '../core/validate.js'
import { type LogTarget, logTarget } from '../core/identifiers.js'
import { CliError, type ErrorContext, UsageError, connectError, databaseError, flagError } from './errors.js'

export { CliError, UsageError }

export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  schema: { type: 'string', default: 'public' },
  table: { type: 'string', default: 'system_logs' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies ParseArgsConfig['options']

/** The help lines of CONNECTION_OPTIONS, for a command whose defaults are these. */
export function connectionHelp ({ url = 'DATABASE_URL, else the PG* variables', table = 'system_logs' } = {}): string {
  return `  --url URL        PostgreSQL URL (default: ${url})
  --schema NAME    schema of the log table (default public)
  --table NAME     log table (default ${table})
  -h, --help       this help`
}

export const CONNECTION_HELP = connectionHelp()

type Parsed<O extends ParseOptions> = ReturnType<typeof parseArgs<{ args: string[], options: O, allowPositionals: false, strict: true }>>
type ParseOptions = NonNullable<ParseArgsConfig['options']>

/** The flags in `argv`; a UsageError for an unknown or malformed flag, and for a --url that is no connection string. */
export function parse<O extends ParseOptions> (argv: string[], options: O): Parsed<O> {
  let parsed: Parsed<O>
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, strict: true })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new UsageError(e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownOption(e.message, argv, options) : e.message)
  }
  // Checked here, before anything runs: a typo in --url is a usage mistake, not a failure to connect.
  const { url, help } = parsed.values as { url?: unknown, help?: unknown }
  if (typeof url === 'string' && url !== '' && help !== true) clientConfig(url)
  return parsed
}

/** An unknown flag, with the known one nearest to it: a typo (`--request_id`, `--limt`) says which was meant. */
function unknownOption (message: string, argv: string[], options: ParseOptions): string {
  const flag = /^Unknown option '([^']+)'/.exec(message)?.[1]
  if (flag === undefined) return message
  // parseArgs reads `-request-id` as the short options -r, -e, ... and names the first: show what was typed.
  const typed = flag.startsWith('--') ? flag : argv.find(a => a.length > 2 && !a.startsWith('--') && a.startsWith(flag)) ?? flag
  const near = nearestName(typed.replace(/^--?/, '').split('=')[0], Object.keys(options))
  return `unknown option ${typed.split('=')[0]}${near === undefined ? '' : ` (did you mean --${near}?)`}`
}

export function targetFrom (values: { schema?: string, table?: string }): LogTarget {
  try {
    return logTarget(values.schema, values.table)
  } catch (err) {
    throw flagError(err)
  }
}

/**
 * The client settings for `url` (unset or empty: DATABASE_URL, else the PG* variables). A string that is
 * no connection string is a UsageError when it came from --url, a CliError when from DATABASE_URL.
 */
function clientConfig (url: string | undefined): pg.ClientConfig {
  try {
    return connectionConfig(url, 'curator-log cli')
  } catch (err) {
    if (!isCuratorLogError(err, ERROR_CODES.BAD_CONNECTION_STRING)) throw err
    const advice = 'is not a valid connection string: use postgres://user:password@host:port/database or host=… port=… dbname=… user=…'
    throw url ? new UsageError(`--url ${advice}`) : new CliError(`DATABASE_URL ${advice}`)
  }
}

/** Connects, turning pg's errors into one line that says what to check. */
export async function connectClient (url: string | undefined): Promise<pg.Client> {
  const config = clientConfig(url)
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 })
  // A connection lost between queries is reported by the next query; without a listener it would crash.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    throw connectError(err, describeServer(config))
  }
  return client
}

/**
 * Connects, runs `work`, and closes; a PostgreSQL error becomes one line naming the table, the
 * privilege `need`ed and the fix.
 */
export async function withClient<T> (url: string | undefined, ctx: ErrorContext, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient(url)
  try {
    return await work(client)
  } catch (err) {
    throw databaseError(err, { ...ctx, user: client.user })
  } finally {
    await client.end().catch(() => {})
  }
}

/** An integer flag (`name` without its dashes) within bounds, or a UsageError naming it. */
export function intOption (name: string, value: string | undefined, min: number, max: number): number {
  try {
    return integer(name, value !== undefined && /^-?\d+$/.test(value) ? Number(value) : value, { min, max })
  } catch (err) {
    throw flagError(err)
  }
}
