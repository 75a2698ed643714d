import type { TransportStats } from '../lib/core/transport-stats.js'
import type { FileSpillStore } from './spill.js'
import { warn } from './worker-stderr.js'

/**
 * What the close leaves undone, said on stderr: lines dropped (counted in the stats, which nobody
 * reads at exit) and lines waiting in the spill directory (not lost, but a user who sees them neither
 * in the table nor in a word would think so, and a container without a volume does lose them).
 */
export function closingSummary (stats: TransportStats, spill: FileSpillStore | undefined, table: string): void {
  const dropped = Object.entries(stats.dropped).filter(([, n]) => n > 0)
  const total = dropped.reduce((sum, [, n]) => sum + n, 0)
  if (total > 0) warn(`curator-log: ${total} lines were dropped and will not reach ${table} (${dropped.map(([level, n]) => `${level}: ${n}`).join(', ')}); the warnings above say why`)
  if (spill === undefined) return
  try {
    const w = spill.waiting()
    const lines = w.rows ?? `${(w.bytes / 2 ** 20).toFixed(1)} MiB of`
    if (w.files > 0) warn(`curator-log: ${lines} lines wait in the spill directory ${spill.dir}, not yet in ${table}; the next process with this spillDir and table loads them`)
  } catch (err) {
    warn(`curator-log: the spill directory ${spill.dir} could not be read at close (${(err as Error).message})`)
  }
}
