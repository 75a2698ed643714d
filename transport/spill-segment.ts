import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs'
import { COLUMNS } from '../lib/core/columns.js'
import { decodeRow, encodeRow } from './copy-text.js'
import type { SpillTarget } from './spill-target.js'

/** The first line of every spill segment: whose rows these are and where they go. */
export interface SegmentHeader {
  curatorLogSpill: 1
  /** The instance that wrote it (see Lease). */
  instance: string
  created: string
  target: SpillTarget
  /**
   * Set when the rows are one batch whose COMMIT was sent but never answered: the transaction to ask
   * txid_status() about on `target.server` before loading them again.
   */
  xid?: string
}

export function headerLine (h: SegmentHeader): string {
  return JSON.stringify(h) + '\n'
}

/** COPY lines as spill text: one JSON object of column name to text (or null) a line. */
export function spillText (lines: readonly string[]): string {
  let text = ''
  for (const line of lines) {
    const fields = decodeRow(line)
    const obj: Record<string, string | null> = {}
    COLUMNS.forEach((c, i) => { obj[c] = fields[i] ?? null })
    text += JSON.stringify(obj) + '\n'
  }
  return text
}

/**
 * Pino lines not parsed yet (the worker fell behind the app) as spill text: `{"raw": line}` a line,
 * parsed into rows when loaded.
 */
export function rawSpillText (lines: readonly string[]): string {
  let text = ''
  for (const line of lines) text += JSON.stringify({ raw: line }) + '\n'
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
 * The header of a segment: 'empty' when there is none to read (a file cut before its first line
 * ended, which then holds no row either), 'bad' when the first line is not a header (corrupt, or a
 * file from a version before segments were bound to their target).
 */
export function readHeader (path: string): SegmentHeader | 'empty' | 'bad' {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(64 << 10)
    const n = readSync(fd, buf, 0, buf.length, 0)
    const end = buf.subarray(0, n).indexOf(10)
    if (end < 0) return n < buf.length && fstatSync(fd).size === n ? 'empty' : 'bad'
    return parseHeader(buf.subarray(0, end).toString('utf8'))
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

/**
 * The rows of a segment as COPY lines; `skipped` counts torn or unreadable ones. `toRow` turns a
 * line spilled raw (see rawSpillText) into its row.
 */
export function readRows (path: string, toRow?: (line: string) => string | undefined): { lines: string[], skipped: number } {
  const lines: string[] = []
  let skipped = 0
  const text = readFileSync(path, 'utf8')
  // Past the header; a last line without its newline was torn by a kill and is not trusted.
  const body = text.slice(text.indexOf('\n') + 1).split('\n')
  if (body.at(-1) !== '') skipped++
  for (const row of body.slice(0, -1)) {
    if (row === '') continue
    try {
      const obj = JSON.parse(row) as Record<string, string | null>
      if (typeof obj.raw === 'string' && toRow) {
        // Undefined: a line below the database level, not stored.
        const row = toRow(obj.raw)
        if (row !== undefined) lines.push(row)
      } else lines.push(encodeRow(COLUMNS.map(c => obj[c] ?? null)))
    } catch {
      skipped++
    }
  }
  return { lines, skipped }
}
