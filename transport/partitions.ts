import type pg from 'pg'
import { type LogTarget, quoteIdent } from '../lib/identifiers.js'
import type { TimeWindow } from './record-to-row.js'

/** Epoch ms of the first instant of the UTC month `offset` months from the one holding `ms`. */
export function monthStart (ms: number, offset = 0): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)
}

/**
 * The times the transport keeps as logged: the previous month (late lines around a month boundary)
 * through the last premade month. Anything else is stored at ingest time, so a bad clock can never
 * ask for a partition in an arbitrary year.
 */
export function liveWindow (monthsAhead: number, clock: () => number = Date.now): () => TimeWindow {
  let cached: TimeWindow = { from: 0, to: 0 }
  let validUntil = -Infinity
  return () => {
    const now = clock()
    if (now >= validUntil || now < cached.from) {
      cached = { from: monthStart(now, -1), to: monthStart(now, monthsAhead + 1) }
      validUntil = monthStart(now, 1)
    }
    return cached
  }
}

/** Creates the partitions of the live window that are missing; returns the names created. */
export async function createLivePartitions (client: pg.Client, target: LogTarget, monthsAhead: number, now = Date.now()): Promise<string[]> {
  const r = await client.query<{ name: string }>(
    `SELECT ${quoteIdent(target.schema)}.curator_log_create_partitions($1, $2, $3, $4) AS name`,
    [target.schema, target.table, new Date(monthStart(now, -1)), monthsAhead + 1])
  return r.rows.map(row => row.name)
}
