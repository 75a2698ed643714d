import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs'
import { COLUMNS } from '../lib/core/columns.js'
import { decodeRow, encodeRow } from './copy-text.js'
import type { SpillTarget } from './spill-target.js'
import type { UnparsedLine } from './delivery.js'

/** The first line of every spill segment: whose rows these are and where they go. */
export interface SegmentHeader {
  curatorLogSpill: 1
  /** The instance that wrote it (see Lease). */
  instance: string
  created: string
  target: SpillTarget
  /**
   * Set when the rows are one batch whose COMMIT was sent but never answered: its id, under which it
   * is loaded again, so that it is skipped when its marker shows that it landed.
   */
  batch?: string
}

export function headerLine (h: SegmentHeader): string {
  return JSON.stringify(h) + '\n'
}

/** COPY lines as spill text: one JSON object of column name to text (or null) a line. */
export function spillText (lines: readonly string[]): string {
  let text = ''
  for (const line of lines) text += rowSpillLine(line)
  return text
}

function rowSpillLine (line: string): string {
  const fields = decodeRow(line)
  const obj: Record<string, string | null> = {}
  COLUMNS.forEach((c, i) => { obj[c] = fields[i] ?? null })
  return JSON.stringify(obj) + '\n'
}

/**
 * Lines the worker did not parse in time as spill text: a row as spillText writes it, a pino line
 * shown to hold nothing the sanitizer changes as `{"raw": line}` (parsed into its row when loaded).
 */
export function unparsedSpillText (lines: readonly UnparsedLine[]): string {
  let text = ''
  for (const line of lines) text += 'raw' in line ? JSON.stringify({ raw: line.raw }) + '\n' : rowSpillLine(line.row)
  return text
}

/**
 * Writes all of `text` at the end of the file. A short or failed write (ENOSPC, EIO) is cut back to
 * `size`, so the file never holds half a row, and the error is thrown: nothing of it counts as spilled.
 */
export function appendAll (fd: number, text: string, size: number): number {
  const buf = Buffer.from(text, 'utf8')
  let done = 0
  try {
    while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done)
  } catch (err) {
    try { ftruncateSync(fd, size) } catch {}
    throw err
  }
  return buf.length
}

/**
 * A segment's loading progress from its `<base>.offset` file: the byte its next batch starts at, then
 * the byte the batch in flight ends at; `[0]` when there is none (or it went away meanwhile).
 */
export function readOffset (path: string): number[] {
  try {
    return readFileSync(path, 'utf8').split(' ').map(Number)
  } catch {
    return [0]
  }
}

/**
 * The header of a segment: 'empty' when there is none to read (a file cut before its first line
 * ended, which then holds no row either), 'bad' when the first line is not a header (corrupt, or a
 * file from a version before segments were bound to their target). `rowsAt` is the byte where the rows begin.
 */
export function readHeader (path: string): { header: SegmentHeader, rowsAt: number } | 'empty' | 'bad' {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(64 << 10)
    const n = readSync(fd, buf, 0, buf.length, 0)
    const end = buf.subarray(0, n).indexOf(10)
    if (end < 0) return n < buf.length && fstatSync(fd).size === n ? 'empty' : 'bad'
    const header = parseHeader(buf.subarray(0, end).toString('utf8'))
    return header === 'bad' ? header : { header, rowsAt: end + 1 }
  } finally {
    closeSync(fd)
  }
}

function parseHeader (text: string): SegmentHeader | 'bad' {
  try {
    const h = JSON.parse(text) as SegmentHeader
    const t = h?.target
    if (h.curatorLogSpill !== 1 || typeof t?.address !== 'string' || typeof t.database !== 'string' || typeof t.schema !== 'string' || typeof t.table !== 'string') return 'bad'
    return h
  } catch {
    return 'bad'
  }
}

/** Rows read from a segment, and where the next read starts. */
export interface SegmentBatch {
  lines: string[]
  /** Byte position just past the last line taken (the progress to record once these rows are loaded). */
  next: number
  /** True when nothing is left past `next`. */
  end: boolean
  /** Torn or unreadable lines met. */
  skipped: number
}

/** Reads at least this much at a time, however small the batch. */
const MIN_READ = 64 << 10

/**
 * Up to `maxRows` rows (and about `maxBytes` of spilled text) of a segment from byte `from` on, as
 * COPY lines. Only that much of the file is in memory, never the whole segment. `toCopyLine` turns a line
 * spilled raw (see unparsedSpillText) into its row, or undefined for a line not stored.
 */
export function readBatch (path: string, from: number, maxRows: number, maxBytes: number, toCopyLine?: (line: string) => string | undefined): SegmentBatch {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    let want = Math.max(0, Math.min(size - from, Math.max(MIN_READ, maxBytes)))
    let buf = Buffer.alloc(0)
    let got = 0
    // A line longer than what was read: read more until it ends (or the file does).
    for (;;) {
      buf = Buffer.allocUnsafe(want)
      got = readAll(fd, buf, from)
      if (buf.lastIndexOf(10, got - 1) >= 0 || from + got >= size) break
      want *= 2
    }
    const batch: SegmentBatch = { lines: [], next: from, end: false, skipped: 0 }
    let at = 0
    while (batch.lines.length < maxRows && at < maxBytes) {
      const nl = buf.indexOf(10, at)
      if (nl < 0 || nl >= got) {
        // No newline left. At the end of the file, what follows the last one is a line a kill tore
        // before it ended: not trusted.
        if (from + got >= size) {
          if (at < got) batch.skipped++
          batch.next = size
        }
        break
      }
      if (nl > at) addCopyLine(batch, buf.toString('utf8', at, nl), toCopyLine)
      at = nl + 1
      batch.next = from + at
    }
    batch.end = batch.next >= size
    return batch
  } finally {
    closeSync(fd)
  }
}

function addCopyLine (batch: SegmentBatch, text: string, toCopyLine?: (line: string) => string | undefined): void {
  try {
    const obj = JSON.parse(text) as Record<string, string | null>
    if (typeof obj.raw === 'string' && toCopyLine) {
      // Undefined: a line below the database level, not stored.
      const copyLine = toCopyLine(obj.raw)
      if (copyLine !== undefined) batch.lines.push(copyLine)
    } else batch.lines.push(encodeRow(COLUMNS.map(c => obj[c] ?? null)))
  } catch {
    batch.skipped++
  }
}

function readAll (fd: number, buf: Buffer, position: number): number {
  let got = 0
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got)
    if (n === 0) break
    got += n
  }
  return got
}
