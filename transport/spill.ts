import { accessSync, appendFileSync, closeSync, constants, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { InDoubt, ReplayBatch, SpillStore, UnparsedLine } from './delivery.js'
import { errorText } from '../lib/database/pg-errors.js'
import { assertPrivateDir } from './spill-dir-safety.js'
import { LEASE_RENEW_MS, Lease } from './spill-lease.js'
import { appendAll, headerLine, unparsedSpillText, readBatch, readHeader, readOffset, spillText } from './spill-segment.js'
import { type SpillTarget, sameTarget } from './spill-target.js'
import { type WaitingSegments, waitingSegments } from './spill-waiting.js'

/** After a failed write (a full disk), spilling is tried again this much later. */
const RETRY_AFTER_FAILURE_MS = 5000
const NAME = /^spill-(\d+)-([0-9a-f]{16})-(\d+)\.(open|ndjson|replaying\.([0-9a-f]{16}))$/

interface Segment { fd: number, path: string, bytes: number, rows: number, dirty: boolean }

/** How spilled rows are cut: into segments when written, into batches when loaded again. */
export interface SpillSizes {
  batchRows: number
  /** A batch loaded again holds about this much spilled text (and rows) at most. */
  batchBytes: number
  /** A segment is sealed once it holds this many bytes. */
  segmentBytes: number
}

/**
 * The spill store, kept in a directory. Segments are `spill-<ms>-<instance>-<n>.open` while written, `.ndjson` once
 * sealed, `.replaying.<instance>` once claimed for loading; each starts with a header naming its
 * target. A row counts as spilled once write(2) has returned for it (it survives the process being
 * killed); segments are fsync'd every second while written, when sealed, and at close.
 */
export class FileSpillStore implements SpillStore {
  /** Unreadable or torn lines met while replaying. */
  skipped = 0
  readonly #lease: Lease
  readonly #timer: NodeJS.Timeout
  #out: Segment | undefined
  #seq = 0
  #failedUntil = 0
  /**
   * The segment being loaded, the byte its next batch starts at and, while a batch is being loaded,
   * the byte it ends at (both recorded in `<base>.offset`: see #progress); `batch`, the id of a
   * segment that holds one batch whose COMMIT went unanswered; `resumed` while the batch in flight
   * is one an earlier process was loading.
   */
  #claimed: { base: string, path: string, pos: number, to?: number, batch?: string, resumed: boolean } | undefined
  /** Segments checked and found to be meant for another target: left alone. */
  readonly #foreign = new Set<string>()
  /** Turns a pino line spilled before it was parsed into a COPY line, when such a row is loaded. */
  #toCopyLine: ((line: string) => string | undefined) | undefined
  readonly #sizes: SpillSizes
  readonly #warn: (msg: string) => void
  readonly #target: SpillTarget

  readonly dir: string

  constructor (dir: string, sizes: SpillSizes, warn: (msg: string) => void, target: SpillTarget) {
    this.dir = dir
    this.#sizes = sizes
    this.#warn = warn
    this.#target = target
    this.#lease = new Lease(dir)
    this.#timer = setInterval(() => this.#tick(), LEASE_RENEW_MS).unref()
  }

  parseSpilled (toCopyLine: (line: string) => string | undefined): void {
    this.#toCopyLine = toCopyLine
  }

  spill (lines: readonly string[], inDoubt?: InDoubt): boolean {
    return this.#write(lines, inDoubt ? () => this.#writeSegment(spillText(lines), inDoubt) : () => this.#append(spillText(lines), lines.length))
  }

  spillUnparsed (lines: readonly UnparsedLine[]): boolean {
    return this.#write(lines, () => this.#append(unparsedSpillText(lines), lines.length))
  }

  #append (text: string, rows: number): void {
    if (!this.#out || this.#out.bytes > this.#sizes.segmentBytes) this.#rotate()
    const out = this.#out!
    out.bytes += appendAll(out.fd, text, out.bytes)
    out.rows += rows
    out.dirty = true
  }

  #write (lines: readonly unknown[], write: () => void): boolean {
    if (lines.length === 0) return true
    if (Date.now() < this.#failedUntil) return false
    try {
      write()
    } catch (err) {
      this.#fail(err)
      return false
    }
    if (this.#failedUntil !== 0) {
      this.#failedUntil = 0
      this.#warn(`curator-log: spilling to ${this.dir} works again`)
    }
    return true
  }

  deadLetter (line: string, err: unknown, batch: string, once: boolean): boolean {
    const file = join(this.dir, 'dead-letter.ndjson')
    const entry = { time: new Date().toISOString(), batch, error: errorText(err), row: JSON.parse(spillText([line])) }
    // Only after a process died mid-batch: the file is read whole, which a live batch never needs.
    if (once && tryRead(() => readFileSync(file, 'utf8'))?.includes(`"batch":${JSON.stringify(batch)},`) === true) return false
    try {
      appendFileSync(file, JSON.stringify(entry) + '\n', { mode: 0o600 })
    } catch (e) {
      this.#warn(`curator-log: cannot write the dead-letter file in ${this.dir} (${errorText(e)}); row refused by PostgreSQL: ${JSON.stringify(entry)}`)
    }
    return true
  }

  async nextReplay (server: () => Promise<string | null>): Promise<ReplayBatch | undefined> {
    for (;;) {
      if (this.#claimed === undefined && !(await this.#claimNext(server))) return undefined
      const c = this.#claimed!
      // Read a batch at a time, never the whole segment. A batch whose COMMIT is in doubt goes whole
      // (its id covers all of it); a batch already sent (by this process or one that died) goes again
      // exactly as it was: its id names those bytes.
      const read = tryRead(() => c.batch !== undefined
        ? readBatch(c.path, c.pos, Infinity, Infinity, this.#toCopyLine)
        : c.to !== undefined
          ? readBatch(c.path, c.pos, Infinity, c.to - c.pos, this.#toCopyLine)
          : readBatch(c.path, c.pos, this.#sizes.batchRows, this.#sizes.batchBytes, this.#toCopyLine))
      if (read === undefined) {
        // Gone from under us (another instance took it after our lease went stale).
        this.#claimed = undefined
        continue
      }
      this.skipped += read.skipped
      const advance = (): void => {
        c.pos = read.next
        c.to = undefined
        c.resumed = false
        if (read.end) return this.#finish(c)
        this.#progress(c.base, String(c.pos))
      }
      // Nothing to load in this stretch (lines below the database level, torn lines): move on.
      if (read.lines.length === 0) {
        advance()
        continue
      }
      // Recorded before the rows are sent: a process that dies after their COMMIT and before the
      // progress past them leaves the next one the same batch under the same id, and its marker.
      if (c.to === undefined) {
        c.to = read.next
        this.#progress(c.base, `${c.pos} ${c.to}`)
      }
      return { lines: read.lines, id: c.batch ?? `${c.base}@${c.pos}-${read.next}/`, resumed: c.resumed, done: advance }
    }
  }

  /** Replaces `<base>.offset` whole (a rename), so a kill never leaves it half written. */
  #progress (base: string, text: string): void {
    const file = join(this.dir, base + '.offset')
    if (!attempt(() => { writeFileSync(file + '.tmp', text); renameSync(file + '.tmp', file) })) {
      this.#warn(`curator-log: cannot record replay progress in ${this.dir}; if this process dies, rows of ${base} already loaded will be loaded again`)
    }
  }

  /**
   * Seals and fsyncs the segment being written; a segment this instance was replaying goes back,
   * with its progress, for the next one; the lease ends.
   */
  close (): Promise<void> {
    clearInterval(this.#timer)
    this.#seal()
    const c = this.#claimed
    if (c) {
      this.#claimed = undefined
      attempt(() => renameSync(c.path, join(this.dir, c.base + '.ndjson')))
    }
    this.#lease.release()
    return Promise.resolve()
  }

  /** What waits in the directory for this target, every process's segments included (see waitingSegments). */
  waiting (): WaitingSegments {
    return waitingSegments(this.dir, this.#target)
  }

  bind (server: string | null): void {
    if (server === null || server === this.#target.server) return
    this.#target.server = server
    this.#foreign.clear()
  }

  #tick (): void {
    this.#lease.renew()
    const out = this.#out
    if (!out?.dirty) return
    try {
      fdatasyncSync(out.fd)
      out.dirty = false
    } catch (err) {
      this.#warn(`curator-log: fsync of ${out.path} failed (${errorText(err)}); rows spilled in the last second may not survive a power loss`)
    }
  }

  #name (): string {
    return `spill-${Date.now()}-${this.#lease.id}-${this.#seq++}`
  }

  #rotate (): void {
    this.#seal()
    const path = join(this.dir, this.#name() + '.open')
    const fd = openSync(path, 'wx', 0o600)
    try {
      const h = headerLine({ curatorLogSpill: 1, instance: this.#lease.id, created: new Date().toISOString(), target: this.#target })
      this.#out = { fd, path, bytes: appendAll(fd, h, 0), rows: 0, dirty: true }
    } catch (err) {
      closeSync(fd)
      rmSync(path, { force: true })
      throw err
    }
  }

  /** One batch whose COMMIT is in doubt, in a segment of its own, on disk before this returns. */
  #writeSegment (text: string, u: InDoubt): void {
    const base = this.#name()
    const path = join(this.dir, base + '.open')
    const fd = openSync(path, 'wx', 0o600)
    try {
      const target = { ...this.#target, server: u.server ?? this.#target.server }
      const h = headerLine({ curatorLogSpill: 1, instance: this.#lease.id, created: new Date().toISOString(), target, batch: u.batch })
      appendAll(fd, h + text, 0)
      fsyncSync(fd)
    } catch (err) {
      closeSync(fd)
      rmSync(path, { force: true })
      throw err
    }
    closeSync(fd)
    renameSync(path, join(this.dir, base + '.ndjson'))
  }

  #seal (): void {
    const out = this.#out
    if (!out) return
    this.#out = undefined
    try {
      fsyncSync(out.fd)
    } catch (err) {
      this.#warn(`curator-log: fsync of ${out.path} failed (${errorText(err)})`)
    }
    closeSync(out.fd)
    if (!attempt(() => renameSync(out.path, out.path.replace(/\.open$/, '.ndjson')))) {
      this.#warn(`curator-log: ${out.path} was taken by another instance while this one still wrote to it (its lease went stale); rows spilled since may be lost`)
    }
  }

  #fail (err: unknown): void {
    if (this.#failedUntil === 0) this.#warn(`curator-log: spilling to ${this.dir} failed (${errorText(err)}); rows that do not fit in memory are dropped (debug and info first) and counted until a write succeeds again`)
    this.#failedUntil = Date.now() + RETRY_AFTER_FAILURE_MS
  }

  #finish (c: { base: string, path: string }): void {
    rmSync(c.path, { force: true })
    rmSync(join(this.dir, c.base + '.offset'), { force: true })
    this.#claimed = undefined
  }

  /** Takes the oldest segment for this target that nobody else owns (a rename is atomic: one taker). */
  async #claimNext (server: () => Promise<string | null>): Promise<boolean> {
    const candidates = this.#candidates()
    if (candidates.length === 0) {
      if (!this.#out || this.#out.rows === 0) return false
      this.#seal()
      return this.#claimNext(server)
    }
    this.bind(await server())
    for (const name of candidates) {
      const m = NAME.exec(name)!
      const path = join(this.dir, name)
      const head = tryRead(() => readHeader(path))
      if (head === undefined) continue
      if (head === 'empty') {
        rmSync(path, { force: true })
        continue
      }
      if (head === 'bad') {
        this.#warn(`curator-log: ${path} is not a spill segment this version can bind to a table; renamed to ${name}.bad and left for you`)
        attempt(() => renameSync(path, path + '.bad'))
        continue
      }
      const { header, rowsAt } = head
      if (!sameTarget(header.target, this.#target)) {
        this.#foreign.add(name)
        continue
      }
      const base = `spill-${m[1]}-${m[2]}-${m[3]}`
      const mine = join(this.dir, `${base}.replaying.${this.#lease.id}`)
      if (!attempt(() => renameSync(path, mine))) continue
      // Progress is the byte the next batch starts at (rows before it were loaded already), then the
      // byte that batch ends at while it was being sent.
      const [at, to] = readOffset(join(this.dir, base + '.offset'))
      const pos = at > rowsAt ? at : rowsAt
      this.#claimed = { base, path: mine, pos, batch: header.batch, resumed: to > pos, to: to > pos ? to : undefined }
      return true
    }
    return false
  }

  #candidates (): string[] {
    const now = Date.now()
    const names = readdirSync(this.dir)
    Lease.sweep(this.dir, names, now)
    return names
      .filter(name => {
        const m = NAME.exec(name)
        if (!m || this.#foreign.has(name)) return false
        if (m[4] === 'ndjson') return true
        const owner = m[5] ?? m[2]
        return owner !== this.#lease.id && !Lease.held(this.dir, owner, now)
      })
      .map(name => ({ name, m: NAME.exec(name)! }))
      .sort((a, b) => Number(a.m[1]) - Number(b.m[1]) || Number(a.m[3]) - Number(b.m[3]))
      .map(c => c.name)
  }
}

/** Whether it worked: a file may go away meanwhile (another process took it). */
function attempt (f: () => void): boolean {
  try {
    f()
    return true
  } catch {
    return false
  }
}

/** The result, or undefined when the file went away meanwhile (another process took it). */
function tryRead<T> (f: () => T): T | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}

/**
 * Opens the spill directory, or reports clearly why it cannot be used and returns undefined, in
 * which case logging goes on without spilling.
 */
export function openSpillStore (dir: string, sizes: SpillSizes, warn: (msg: string) => void, target: SpillTarget): FileSpillStore | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    assertPrivateDir(dir)
    accessSync(dir, constants.W_OK | constants.R_OK)
    return new FileSpillStore(dir, sizes, warn, target)
  } catch (err) {
    warn(`curator-log: the spill directory ${dir} is not usable (${errorText(err)}); logging goes on without spilling, so rows beyond maxQueueBytes will be dropped`)
    return undefined
  }
}
