import type pg from 'pg'

// Ids come from one sequence, but a writer takes its ids when it inserts and they become visible when
// it commits: a slow transaction's rows commit below ids already printed. So tail remembers the ids it
// has not seen yet below the highest one it has (gaps), and asks for them by id on every poll until
// they show up or cannot any more: a gap can only fill while a transaction that was running when it
// was noticed is still running. Cost per poll: one index scan of at most NEW_IDS_PER_POLL new ids and
// one lookup of those ids plus the gaps, however long tail runs.
const NEW_IDS_PER_POLL = 10_000
/** More open gaps than this (writers rolled back or stuck by the thousand): the oldest are given up. */
export const MAX_GAPS = 10_000
/** Ids below the highest at start that are looked at for transactions still running then. */
export const START_LOOK_BACK = 10_000

interface Gap {
  id: bigint
  // xmax of the first snapshot taken after the gap was noticed: by then the writer holding the id has
  // its transaction id; once every transaction below it has ended, the gap cannot fill any more.
  until?: bigint
}

export interface Follower {
  /** Rows committed since the last poll (or late, below it) that match, in id order, each once; `more` when new ids were left for the next poll. */
  poll: () => Promise<{ rows: Array<Record<string, unknown>>, more: boolean }>
  /** How many ids are still awaited. */
  readonly gaps: number
}

/** Follows `table` from the rows visible now: what commits later is news, whatever its id. */
export async function follow (client: pg.Client, table: string, where: string[], params: unknown[]): Promise<Follower> {
  const matches = where.length > 0 ? where.join(' AND ') : 'true'
  const gaps = new Map<bigint, Gap>()
  const start = await client.query(`SELECT coalesce(max(id), 0)::text AS id FROM ${table}`)
  let high = BigInt(start.rows[0].id)
  const from = high > BigInt(START_LOOK_BACK) ? high - BigInt(START_LOOK_BACK) : 0n
  await scan(from, high)

  /** Ids after `after` (up to `upTo`) not visible now become gaps; returns the visible ids and the snapshot's bounds. */
  async function scan (after: bigint, upTo?: bigint): Promise<{ ids: bigint[], xmin: bigint, xmax: bigint, full: boolean }> {
    const r = await client.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
      array(SELECT id FROM ${table} WHERE id > $1 ${upTo === undefined ? '' : 'AND id <= $3'} ORDER BY id LIMIT $2)::text[] AS ids`,
    upTo === undefined ? [after.toString(), NEW_IDS_PER_POLL] : [after.toString(), NEW_IDS_PER_POLL + START_LOOK_BACK, upTo.toString()])
    const ids = (r.rows[0].ids as string[]).map(BigInt)
    let next = after + 1n
    for (const id of ids) {
      for (; next < id; next++) gaps.set(next, { id: next })
      next = id + 1n
    }
    if (upTo !== undefined) for (; next <= upTo; next++) gaps.set(next, { id: next })
    // Oldest first out: Map keeps insertion order, and gaps are added in id order.
    for (const id of gaps.keys()) {
      if (gaps.size <= MAX_GAPS) break
      gaps.delete(id)
    }
    return { ids, xmin: BigInt(r.rows[0].xmin), xmax: BigInt(r.rows[0].xmax), full: ids.length === NEW_IDS_PER_POLL }
  }

  return {
    get gaps () { return gaps.size },
    async poll () {
      const waiting = [...gaps.keys()]
      const { ids, xmin, xmax, full } = await scan(high)
      if (ids.length > 0) high = ids[ids.length - 1]!
      const wanted = [...waiting, ...ids]
      if (wanted.length === 0) return { rows: [], more: false }
      // Every wanted id that is visible, with whether the filters keep it: one snapshot decides both
      // what is printed and which gaps are filled, so nothing commits between the two.
      const r = await client.query(`SELECT (${matches}) AS curator_log_tail_match, * FROM ${table} WHERE id = ANY($${params.length + 1}::bigint[]) ORDER BY id`, [...params, wanted.map(String)])
      const rows: Array<Record<string, unknown>> = []
      for (const row of r.rows) {
        gaps.delete(BigInt(row.id))
        const keep = row.curator_log_tail_match === true
        delete row.curator_log_tail_match
        if (keep) rows.push(row)
      }
      // A gap whose writers have all ended (rolled back, or the id was never used) cannot fill any more.
      for (const id of waiting) {
        const gap = gaps.get(id)
        if (gap === undefined) continue
        if (gap.until === undefined) gap.until = xmax
        else if (xmin >= gap.until) gaps.delete(id)
      }
      return { rows, more: full }
    }
  }
}
