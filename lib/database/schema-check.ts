import { type LogTarget, qualifiedTable } from '../core/identifiers.js'
import type { Migration } from './migrate.js'
import type { SqlClient } from './sql-client.js'

/** An object the schema files create, with the statement that creates it. */
export interface SchemaObject {
  /** e.g. `function curator_log_partitions`, `index hash (request_id)` */
  what: string
  sql: string
}

/** What the catalog lacks of what the applied schema files create. */
export interface SchemaGaps {
  table: 'present' | 'missing' | 'not partitioned'
  /** Tables beside the log table (the batch markers), created `IF NOT EXISTS` by the files. */
  sideTables: SchemaObject[]
  functions: SchemaObject[]
  indexes: SchemaObject[]
}

// The statements are read from the schema files themselves, so a new file is checked without a list
// kept here. A later definition of a function replaces an earlier one, as when the files are applied.
const FUNCTION = /CREATE OR REPLACE FUNCTION\s+("[^"]+"|\w+)\.(\w+)\s*\([\s\S]*?\$fn\$[\s\S]*?\$fn\$\s*;/g
const SIDE_TABLE = /CREATE TABLE IF NOT EXISTS\s+("[^"]+"|\w+)\.(\w+)\s*\([\s\S]*?\n\);/g
const INDEX = /CREATE INDEX ON\s+\S+\s+(?:USING\s+(\w+)\s*)?(\([^;]*?\))(?:\s+WHERE[^;]*)?\s*;/g

/** Looks up the table, functions and indexes that `migrations` create, and reports what is not there. */
export async function schemaGaps (client: SqlClient, target: LogTarget, migrations: Migration[]): Promise<SchemaGaps> {
  const table = qualifiedTable(target)
  const kind = await client.query(
    'SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [target.schema, target.table])
  const gaps: SchemaGaps = { table: kind.rows.length === 0 ? 'missing' : kind.rows[0].relkind === 'p' ? 'present' : 'not partitioned', sideTables: [], functions: [], indexes: [] }

  for (const m of migrations) {
    for (const s of m.sql.matchAll(SIDE_TABLE)) {
      const found = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${s[1]}.${s[2]}`])
      if (!found.rows[0].present) gaps.sideTables.push({ what: `table ${target.schema}.${s[2]}`, sql: s[0] })
    }
  }

  const functions = new Map<string, string>()
  for (const m of migrations) for (const f of m.sql.matchAll(FUNCTION)) functions.set(f[2], f[0])
  const present = await client.query(
    'SELECT DISTINCT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = ANY($2)',
    [target.schema, [...functions.keys()]])
  const have = new Set(present.rows.map(r => r.proname as string))
  for (const [name, sql] of functions) if (!have.has(name)) gaps.functions.push({ what: `function ${target.schema}.${name}`, sql })

  if (gaps.table !== 'present') return gaps
  const defs = await client.query('SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = $1::regclass', [table])
  const existing = new Set(defs.rows.map(r => indexKey(/USING (\w+) (\([^)]*\))/.exec(r.def as string)?.slice(1) ?? [])))
  for (const m of migrations) {
    for (const i of m.sql.matchAll(INDEX)) {
      const method = (i[1] ?? 'btree').toLowerCase()
      if (!existing.has(indexKey([method, i[2]]))) gaps.indexes.push({ what: `index ${method} ${i[2]}`, sql: i[0] })
    }
  }
  return gaps
}

function indexKey (parts: string[]): string {
  return parts.join(' ').replace(/["\s]/g, '').toLowerCase()
}
