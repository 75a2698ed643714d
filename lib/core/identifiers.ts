/**
 * Schema and table names come from configuration, so they are validated here and only ever reach SQL
 * through quoteIdent/quoteLiteral.
 */

import { ERROR_CODES } from './errors.js'
import { invalid } from './validate.js'

const IDENT = /^[a-z_][a-z0-9_]*$/

/** Longest table name that still leaves room for the `_YYYY_MM` partition suffix in 63 bytes. */
export const MAX_TABLE_NAME = 55
const MAX_SCHEMA_NAME = 63

/** A validated, lower-case PostgreSQL identifier for the schema and table that hold the logs. */
export interface LogTarget {
  schema: string
  table: string
}

/** Throws an OptionError (a TypeError) naming the option when `value` is not a plain lower-case identifier. */
export function validateIdentifier (option: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || !IDENT.test(value) || value.length > max) {
    const code = typeof value === 'string' ? ERROR_CODES.OPTION_VALUE : ERROR_CODES.OPTION_TYPE
    throw invalid(code, option, `a lower-case SQL identifier (letters, digits, _; at most ${max} characters)`, value)
  }
  return value
}

/** Validates the configured schema and table, defaulting to public.system_logs. */
export function logTarget (schema: unknown = 'public', table: unknown = 'system_logs'): LogTarget {
  return {
    schema: validateIdentifier('schema', schema, MAX_SCHEMA_NAME),
    table: validateIdentifier('table', table, MAX_TABLE_NAME)
  }
}

export function quoteIdent (name: string): string {
  return '"' + name.replace(/"/g, '""') + '"'
}

export function quoteLiteral (value: string): string {
  return "'" + value.replace(/'/g, "''") + "'"
}

/** `"schema"."table"` */
export function qualifiedTable (target: LogTarget): string {
  return quoteIdent(target.schema) + '.' + quoteIdent(target.table)
}
