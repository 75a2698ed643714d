import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { type LogTarget, qualifiedTable, quoteIdent, quoteLiteral } from './identifiers.js'
import { packageRoot } from './package-root.js'

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
}

const FILE = /^(\d+)_([a-z0-9_]+)\.sql$/

/** The schema/ files in order, with the target's names filled in. */
export function loadMigrations (target: LogTarget, dir = join(packageRoot(), 'schema')): Migration[] {
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
 * `<schema>.curator_log_migrations`. Concurrent callers wait on an advisory lock, so applying twice
 * (or from two processes at once) is a no-op the second time.
 */
export async function migrate (client: pg.Client, target: LogTarget): Promise<MigrateResult> {
  const schema = quoteIdent(target.schema)
  const ledger = `${schema}.curator_log_migrations`
  const lockKey = `curator-log:migrate:${target.schema}.${target.table}`
  const result: MigrateResult = { applied: [], alreadyApplied: [] }
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey])
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${ledger} (
      target text NOT NULL, version integer NOT NULL, name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, version))`)
    const done = await client.query<{ version: number }>(
      `SELECT version FROM ${ledger} WHERE target = $1`, [target.table])
    const applied = new Set(done.rows.map(r => r.version))
    for (const m of loadMigrations(target)) {
      if (applied.has(m.version)) {
        result.alreadyApplied.push(m.name)
        continue
      }
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query(`INSERT INTO ${ledger} (target, version, name) VALUES ($1, $2, $3)`,
          [target.table, m.version, m.name])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw Object.assign(new Error(`curator-log: migration ${m.name} failed: ${(err as Error).message}`), { cause: err })
      }
      result.applied.push(m.name)
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey])
  }
  return result
}
