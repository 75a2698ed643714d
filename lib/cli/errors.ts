import { ERROR_CODES, OptionError, UnknownLevelError, bareMessage, isCuratorLogError } from '../core/errors.js'
import type { LogTarget } from '../core/identifiers.js'
import { migrateCommand } from '../database/pg-errors.js'

/** A usage mistake: printed as one line with a pointer to the command's help, exit code 2. */
export class UsageError extends Error {}

/** A failure the user can act on: printed as one line, exit code 1 (the cause's stack with --debug). */
export class CliError extends Error {}

/**
 * An option error from checking a flag's value, as a usage error naming the flag: `--schema must be ...`.
 * Anything else comes back as it is.
 */
export function flagError (err: unknown): unknown {
  if (err instanceof UnknownLevelError) return withCause(new UsageError(`--${err.option}: unknown level ${JSON.stringify(err.value)}; known: ${err.known.join(', ')}`), err)
  if (err instanceof OptionError) return withCause(new UsageError(`--${err.option}${err.detail}`), err)
  return err
}

/** What a command was doing when the database refused, so the advice can name the fix. */
export interface ErrorContext {
  target?: LogTarget
  /** The privilege the command needs: read (query, tail, stats), owner (migrate, maintain), write. */
  need?: 'read' | 'write' | 'owner'
  /** The role the client logged in as. */
  user?: string
  /** host:port/database, never with a password. */
  server?: string
}

const CONNECT_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is PostgreSQL running and listening there?',
  ENOTFOUND: 'host not found: check the host name',
  EAI_AGAIN: 'host name lookup failed: check the host name and DNS',
  ETIMEDOUT: 'connection timed out: check the host, port and firewall',
  EHOSTUNREACH: 'host unreachable: check the host and network',
  ENETUNREACH: 'network unreachable: check the host and network',
  ECONNRESET: 'the server closed the connection: check the port and that it is PostgreSQL'
}

/**
 * Turns an error from connecting into one line naming the server and the fix. (The password a message
 * may quote is masked where the CLI prints it: see scrubbedStream.)
 */
export function connectError (err: unknown, server: string): CliError {
  const e = err as { code?: unknown, message?: unknown }
  if (isPostgresError(err)) return databaseError(err, { server }) as CliError
  const code = typeof e?.code === 'string' ? e.code : undefined
  const why = code !== undefined && Object.hasOwn(CONNECT_ERRNO, code)
    ? `${CONNECT_ERRNO[code]} (${code})`
    : `${typeof e?.message === 'string' && e.message ? e.message : String(err)}${code ? ` (${code})` : ''}`
  return withCause(new CliError(`cannot connect to ${server}: ${why}; check --url or DATABASE_URL`), err)
}

/**
 * One line for an error PostgreSQL reported, chosen by SQLSTATE, or for one of curator-log's own, chosen
 * by its code: what is wrong and what to run. Other errors come back as they are.
 */
export function databaseError (err: unknown, ctx: ErrorContext = {}): unknown {
  if (err instanceof CliError || err instanceof UsageError) return err
  if (isCuratorLogError(err, ERROR_CODES.BAD_CONNECTION_STRING)) {
    return withCause(new CliError('the connection string (--url or DATABASE_URL) is not valid: use postgres://user:password@host:port/database or host=… port=… dbname=… user=…'), err)
  }
  // Our own errors say what is wrong and what to change in one line already.
  if (isCuratorLogError(err)) return withCause(new CliError(bareMessage(err)), err)
  if (!isPostgresError(err)) return err
  const code = err.code
  const message = err.message
  const table = ctx.target ? `${ctx.target.schema}.${ctx.target.table}` : 'the log table'
  const who = ctx.user ?? 'this role'
  const at = ctx.server ? ` at ${ctx.server}` : ''
  const migrate = ctx.target ? migrateCommand(ctx.target) : 'curator-log migrate'
  let line: string
  if (code === '42P01' || code === '3F000' || code === '42883') {
    // A table set up in another schema (docs/operations.md) is the likelier case than none at all.
    line = `${table} is not set up (${message}): name the log table with --schema and --table if it is elsewhere, or run ${migrate} to create it`
  } else if (code === '42703') {
    // The CLI names only columns its migrations create: one missing is a table not migrated since an upgrade.
    line = `${table} lacks a column this version reads (${message}): run ${migrate} to upgrade it`
  } else if (code === '42501') {
    line = `permission denied (${message}): ${grantAdvice(ctx, who)}`
  } else if (code === '28P01' || code === '28000') {
    line = `authentication failed${at} (${message}): check the user and password`
  } else if (code === '3D000') {
    line = `${message}${at}: check the database name in --url or DATABASE_URL`
  } else if (code === '53300' || code === '53400') {
    line = `the server${at} refuses more connections (${message}): try again later or raise max_connections`
  } else if (code.startsWith('57P') || code.startsWith('08')) {
    line = `the server${at} is not available (${message}): try again when it is up`
  } else {
    line = `PostgreSQL error ${code}: ${message}`
  }
  return withCause(new CliError(line), err)
}

function grantAdvice (ctx: ErrorContext, who: string): string {
  const t = ctx.target
  // Grants are advised only for a command known to read or write: DDL (migrate, maintain) no grant
  // allows, so anything else, unknown included, is told to run as the owner.
  if (!t || (ctx.need !== 'read' && ctx.need !== 'write')) return 'run migrate and maintain as the role that owns the log table (see docs/operations.md, Roles)'
  const schema = `"${t.schema}"`
  const table = `${schema}."${t.table}"`
  return ctx.need === 'write'
    ? `as the table's owner run GRANT USAGE ON SCHEMA ${schema} TO ${who}; GRANT INSERT ON ${table} TO ${who}; GRANT USAGE ON SEQUENCE ${schema}."${t.table}_id_seq" TO ${who}`
    : `as the table's owner run GRANT USAGE ON SCHEMA ${schema} TO ${who}; GRANT SELECT ON ${table} TO ${who}`
}

/** An error the server sent (pg's DatabaseError carries a SQLSTATE and a severity). */
function isPostgresError (err: unknown): err is { code: string, message: string } {
  const e = err as { code?: unknown, severity?: unknown, message?: unknown } | null
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string' && typeof e.message === 'string'
}

function withCause<E extends Error> (error: E, cause: unknown): E {
  return Object.assign(error, { cause })
}
