import type pg from 'pg'
import { type LogTarget, quoteIdent } from '../core/identifiers.js'

/** What partition maintenance keeps true. */
export interface MaintenancePlan {
  /** Months of partitions made ahead of the current one (the previous month is kept too, for late lines). */
  monthsAhead: number
  /** Partitions whose whole range is older than this many days are dropped; 0 keeps everything. */
  retentionDays: number
  /** Detach expired partitions (kept as plain tables) instead of dropping them. */
  detach: boolean
}

/** A partition of the log table and its range. */
export interface PartitionInfo {
  name: string
  from: Date
  to: Date
}

/** What a maintenance run did. */
export interface MaintenanceResult {
  created: string[]
  dropped: string[]
  partitions: PartitionInfo[]
  /** Batch markers older than MARKER_DAYS deleted (see schema/004_batch_markers.sql). */
  markersPruned: number
}

const DAY = 86_400_000
/**
 * Days a batch marker is kept when its writer never deleted it (killed, or cut off mid-batch): a
 * spill file loaded later than that may load its one batch in doubt twice (a duplicate, never a loss).
 */
export const MARKER_DAYS = 30

/** Epoch ms of the first instant of the UTC month `offset` months from the one holding `ms`. */
export function monthStart (ms: number, offset = 0): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)
}

/** The table's partitions, oldest first. */
export async function listPartitions (client: pg.Client, target: LogTarget): Promise<PartitionInfo[]> {
  const r = await client.query<{ partition_name: string, range_from: Date, range_to: Date }>(
    `SELECT partition_name, range_from, range_to FROM ${quoteIdent(target.schema)}.curator_log_partitions($1, $2)`, [target.schema, target.table])
  return r.rows.map(p => ({ name: p.partition_name, from: p.range_from, to: p.range_to }))
}

/** How one maintenance run goes. */
export interface MaintenanceRun {
  /**
   * The time partitions are made around (epoch ms), e.g. a month ahead to prepare for it. Default now.
   * Retention never uses it: rows are dropped only by their age on the real clock, so a time far
   * ahead cannot drop the months that are still being written.
   */
  now?: number
  /** Bounds the wait for the table lock that DDL needs, in ms. Default 5000. */
  lockTimeoutMs?: number
  /** Does everything, reports it, then rolls it back. Default false. */
  dryRun?: boolean
}

/**
 * Creates the partitions from the previous month through `monthsAhead` months ahead and drops (or
 * detaches) those past retention, in one transaction under the table's advisory lock, so any number
 * of processes may run it at once.
 */
export async function maintainPartitions (client: pg.Client, target: LogTarget, plan: MaintenancePlan, run: MaintenanceRun = {}): Promise<MaintenanceResult> {
  const { now = Date.now(), lockTimeoutMs = 5000, dryRun = false } = run
  const fn = (name: string): string => `${quoteIdent(target.schema)}.${name}`
  await client.query('BEGIN')
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(lockTimeoutMs))}`)
    const created = await client.query<{ p: string }>(`SELECT ${fn('curator_log_create_partitions')}($1, $2, $3, $4) AS p`,
      [target.schema, target.table, new Date(monthStart(now, -1)), plan.monthsAhead + 1])
    const dropped = plan.retentionDays > 0
      ? await client.query<{ p: string }>(`SELECT ${fn('curator_log_drop_partitions')}($1, $2, $3, $4) AS p`,
        [target.schema, target.table, new Date(Date.now() - plan.retentionDays * DAY), plan.detach])
      : { rows: [] }
    const partitions = await listPartitions(client, target)
    const markers = `${quoteIdent(target.schema)}.curator_log_batches`
    // Before migration 004 there is no marker table: nothing to prune.
    const pruned = (await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [markers])).rows[0].ok === true
      ? (await client.query(`DELETE FROM ${markers} WHERE committed_at < now() - make_interval(days => $1)`, [MARKER_DAYS])).rowCount ?? 0
      : 0
    // A dry run sees exactly what the functions would do, under the same lock, then undoes it.
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT')
    return { created: created.rows.map(r => r.p), dropped: dropped.rows.map(r => r.p), partitions, markersPruned: pruned }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}
