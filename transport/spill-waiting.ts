import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { readHeader, readOffset } from './spill-segment.js'
import { type SpillTarget, sameTarget } from './spill-target.js'

// The close must not read a long outage's spill back to count it: past this, only the size is told.
const COUNT_LIMIT_BYTES = 64 << 20

/** Sealed segments of one table waiting to be loaded: how many, the bytes and (when counted) rows left in them. */
export interface WaitingSegments { files: number, bytes: number, rows: number | undefined }

/**
 * What `dir` holds for `target` that no process is loading: its sealed segments (every process's),
 * less the rows a segment's `.offset` says were loaded already. Files that go away meanwhile (another
 * process took them) are left out.
 */
export function waitingSegments (dir: string, target: SpillTarget): WaitingSegments {
  const w: WaitingSegments = { files: 0, bytes: 0, rows: 0 }
  for (const name of readdirSync(dir)) {
    if (!/^spill-.*\.ndjson$/.test(name)) continue
    try {
      const path = join(dir, name)
      const head = readHeader(path)
      if (typeof head === 'string' || !sameTarget(head.header.target, target)) continue
      const [at] = readOffset(join(dir, name.replace(/\.ndjson$/, '.offset')))
      const from = at > head.rowsAt ? at : head.rowsAt
      const size = statSync(path).size
      if (size <= from) continue
      w.files++
      w.bytes += size - from
      if (w.rows !== undefined && w.bytes <= COUNT_LIMIT_BYTES) w.rows += lineCount(readFileSync(path).subarray(from))
      else w.rows = undefined
    } catch {
      // Taken or removed by another process: not waiting here any more.
    }
  }
  return w
}

function lineCount (buf: Buffer): number {
  let n = 0
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++
  return n
}
