import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { LogTarget } from '../lib/core/identifiers.js'

/**
 * The table a spilled row was meant for. `address` and `database` are as configured (known while the
 * server is down); `server` is the cluster's system_identifier once a connection has told it, null
 * before or where pg_control_system() is not allowed.
 */
export interface SpillTarget {
  server: string | null
  address: string
  database: string
  schema: string
  table: string
}

/** The target as the connection settings name it, before any connection is made. */
export function configuredTarget (config: pg.ClientConfig, target: LogTarget): SpillTarget {
  // pg.Client resolves the URL, the PG* variables and pg's defaults without connecting.
  const c = new pg.Client(config) as unknown as { host: string, port: number, database: string | undefined, user: string | undefined }
  return { server: null, address: `${c.host}:${c.port}`, database: c.database ?? c.user ?? '', schema: target.schema, table: target.table }
}

/**
 * The default spill directory: one per appName and target, so two services sharing a host and an
 * appName never see each other's files.
 */
export function defaultSpillDir (appName: string, t: SpillTarget): string {
  const key = createHash('sha256').update(JSON.stringify([t.address, t.database, t.schema, t.table])).digest('hex').slice(0, 16)
  return join(tmpdir(), 'curator-log', appName, key)
}

/**
 * Whether rows spilled for `file` may be loaded through the connection described by `here`: same
 * database, schema and table, on the same server (by system_identifier when both sides know it,
 * else by the configured host:port).
 */
export function sameTarget (file: SpillTarget, here: SpillTarget): boolean {
  if (file.database !== here.database || file.schema !== here.schema || file.table !== here.table) return false
  if (file.server !== null && here.server !== null) return file.server === here.server
  return file.address === here.address
}
