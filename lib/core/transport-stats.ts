/** Counters the transport keeps and reports to the app thread. */
export interface TransportStats {
  /** Rows committed in PostgreSQL. */
  committed: number
  /** COPY transactions committed. */
  batches: number
  /** Failed delivery attempts that were retried. */
  retries: number
  /** Rows written to the spill file. */
  spilled: number
  /** Rows loaded from spill files. */
  replayed: number
  /** Rows PostgreSQL refused, written to the dead-letter file. */
  deadLettered: number
  /** Rows dropped under pressure with no spill, by level name. */
  dropped: Record<string, number>
  /** Torn or unreadable lines skipped in spill files. */
  spillLinesSkipped: number
  /** Lines waiting in memory. */
  queueDepth: number
  /** Bytes waiting in memory. */
  queueBytes: number
  /** The most bytes that ever waited in memory at once. */
  peakQueueBytes: number
  /** The worker's V8 heap in use, in bytes, when the counters were read. */
  heapUsedBytes: number
  /** The last delivery error, if any. */
  lastError: string | null
}

export function emptyStats (): TransportStats {
  return {
    committed: 0,
    batches: 0,
    retries: 0,
    spilled: 0,
    replayed: 0,
    deadLettered: 0,
    dropped: {},
    spillLinesSkipped: 0,
    queueDepth: 0,
    queueBytes: 0,
    peakQueueBytes: 0,
    heapUsedBytes: 0,
    lastError: null
  }
}
