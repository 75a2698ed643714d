import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type LogTarget, qualifiedTable, quoteIdent, quoteLiteral } from '../core/identifiers.js'
import { schemaGaps } from './schema-check.js'
import type { SqlClient } from './sql-client.js'

export type { SqlClient }

/** One numbered file of schema/. */
export interface Migration {
  version: number
  name: string
  sql: string
}

/** What a call to {@link migrate} did. */
export interface MigrateResult {
  applied: string[]
  alreadyApplied: string[]
  /** What the ledger said was there but the catalog lacked, and migrate created again. */
  repaired: string[]
  /** What is still missing and migrate could not create (the table exists but is not partitioned). */
  missing: string[]
}

const FILE = /^(\d+)_([a-z0-9_]+)\.sql$/

// schema/ sits at the package root: three folders up from dist/lib/database/migrate.js, two from the source.
const SCHEMA_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../../schema' : '../../schema', import.meta.url))

/** The schema/ files in order, with the target's names filled in. */
export function loadMigrations (target: LogTarget, dir = SCHEMA_DIR): Migration[] {
  const vars: Record<string, string> = {
    schema: quoteIdent(target.schema),
    table: qualifiedTable(target),
    schema_name: quoteLiteral(target.schema),
    table_name: quoteLiteral(target.table)
  }
  return readdirSync(dir)
    .map(file => FILE.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(m => ({
      version: Number(m[1]),
      name: m[0],
      sql: readFileSync(join(dir, m[0]), 'utf8').replace(/\$\{(\w+)\}/g, (all, key: string) => {
        if (!(key in vars)) throw new Error(`curator-log: unknown placeholder ${all} in ${m[0]}`)
        return vars[key]
      })
    }))
    .sort((a, b) => a.version - b.version)
}

/**
 * Applies every pending schema/ file for the target, each in its own transaction, recording it in
 * `<schema>.curator_log_migrations`; then checks the catalog for what the files create (table,
 * functions, indexes, the coming months' partitions) and creates again whatever is gone. Concurrent
 * callers wait on an advisory lock, so applying twice (or from two processes at once) is a no-op the
 * second time. Needs CREATE on the database only when the schema does not exist yet, and otherwise the
 * rights of the schema's and table's owner. `client` is one connection (the lock is the session's).
 * @throws the first PostgreSQL error, with its SQLSTATE `code` kept; the failed file is rolled back.
 */
export async function migrate (client: SqlClient, target: LogTarget): Promise<MigrateResult> {
  const schema = quoteIdent(target.schema)
  const ledger = `${schema}.curator_log_migrations`
  const lockKey = `curator-log:migrate:${target.schema}.${target.table}`
  const result: MigrateResult = { applied: [], alreadyApplied: [], repaired: [], missing: [] }
  const migrations = loadMigrations(target)
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey])
  try {
    // IF NOT EXISTS still asks for the CREATE privilege: look first, so an owner without it can migrate.
    const found = await client.query('SELECT to_regnamespace($1) IS NOT NULL AS schema, to_regclass($2) IS NOT NULL AS ledger', [quoteIdent(target.schema), ledger])
    if (!found.rows[0].schema) await client.query(`CREATE SCHEMA ${schema}`)
    if (!found.rows[0].ledger) {
      await client.query(`CREATE TABLE IF NOT EXISTS ${ledger} (
        target text NOT NULL, version integer NOT NULL, name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, version))`)
    }
    const done = await client.query(`SELECT version FROM ${ledger} WHERE target = $1`, [target.table])
    const applied = new Set<number>(done.rows.map(r => r.version))
    if (applied.size > 0 && (await schemaGaps(client, target, migrations)).table === 'missing') {
      // The data is gone with the table: rebuild it as on a fresh database.
      await client.query(`DELETE FROM ${ledger} WHERE target = $1`, [target.table])
      applied.clear()
      result.repaired.push(`table ${target.schema}.${target.table}`)
    }
    for (const m of migrations) {
      if (applied.has(m.version)) {
        result.alreadyApplied.push(m.name)
        continue
      }
      await transaction(client, `migration ${m.name}`, async () => {
        await client.query(m.sql)
        await client.query(`INSERT INTO ${ledger} (target, version, name) VALUES ($1, $2, $3)`, [target.table, m.version, m.name])
      })
      result.applied.push(m.name)
    }
    await repair(client, target, migrations, result)
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey])
  }
  return result
}

/** Creates again the side tables, functions, indexes and partitions the catalog lacks. */
async function repair (client: SqlClient, target: LogTarget, migrations: Migration[], result: MigrateResult): Promise<void> {
  const gaps = await schemaGaps(client, target, migrations)
  if (gaps.table === 'not partitioned') result.missing.push(`${target.schema}.${target.table} exists but is not a partitioned table: rename it and run migrate again`)
  for (const object of [...gaps.sideTables, ...gaps.functions, ...gaps.indexes]) {
    await transaction(client, `recreating ${object.what}`, () => client.query(object.sql))
    result.repaired.push(object.what)
  }
  if (gaps.table !== 'present') return
  const created = await client.query(`SELECT ${quoteIdent(target.schema)}.curator_log_create_partitions($1, $2, now(), 3) AS p`, [target.schema, target.table])
  for (const r of created.rows) result.repaired.push(`partition ${target.schema}.${r.p as string}`)
}

async function transaction (client: SqlClient, what: string, work: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN')
  try {
    await work()
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    const e = err as { code?: unknown, severity?: unknown, message?: unknown }
    throw Object.assign(new Error(`curator-log: ${what} failed: ${String(e?.message ?? err)}`), { cause: err, code: e?.code, severity: e?.severity })
  }
}
