import { randomBytes } from 'node:crypto'
import { backoffMs, sleep } from './backoff.js'
import { LEVEL_INDEX } from '../lib/core/columns.js'
import { AmbiguousCommitError, type CopyOutcome, type CopyWriter } from '../lib/database/copy-writer.js'
import { type ErrorKind, classify, errorText, isServerError, needsOperator } from '../lib/database/pg-errors.js'
import { LineQueue } from './line-queue.js'
import { type TransportStats, emptyStats } from '../lib/core/transport-stats.js'

export interface DeliveryOptions {
  batchRows: number
  batchBytes: number
  flushIntervalMs: number
  maxQueueBytes: number
  retryBaseMs: number
  retryMaxMs: number
  /**
   * A batch in flight longer than this counts toward maxQueueBytes, so that a COPY that does not
   * return (a lock, a server that stopped answering) pushes new lines to the spill file instead of
   * adding to memory. Default 5000.
   */
  stuckMs?: number
}

/** A batch whose COMMIT was sent and never answered: its id (its marker's) and the server it ran on. */
export interface InDoubt {
  batch: string
  /** The server's system_identifier, null when it could not be read. */
  server: string | null
}

/**
 * A line the worker did not parse in time, as it may go to disk: its COPY line (sanitized), or, only
 * when nothing in it is a secret the sanitizer would redact, the pino line as it came (cheaper to
 * write, parsed when loaded). See docs/privacy.md.
 */
export type UnparsedLine = { row: string } | { raw: string }

/** A spilled batch to load again. */
export interface ReplayBatch {
  lines: string[]
  /**
   * The batch's id, the same for the same rows whichever process loads them (recorded on disk
   * before they are sent), so that a batch that committed is found by its marker and not loaded twice.
   */
  id: string
  /** An earlier process died (or closed) while loading this batch: its refused rows may be dead-lettered already. */
  resumed: boolean
  /** Records that the batch is loaded (or found loaded). */
  done: () => void
}

/** A batch, or the part of one that isolating refused rows left: its rows and its marker's id. */
interface Part {
  lines: string[]
  id: string
  /** Its COMMIT went unanswered: at close it is spilled alone, with its id. */
  doubt?: boolean
}

/** The spill store: where rows go when PostgreSQL cannot take them now (spill) or ever (dead letter). */
export interface SpillStore {
  /**
   * Writes lines to local storage, returning only once the OS has them (they survive the process);
   * false when that failed, in which case none of them was kept. With `inDoubt`, the lines are
   * one batch whose COMMIT is in doubt, kept together with its id.
   */
  spill (lines: readonly string[], inDoubt?: InDoubt): boolean
  /**
   * As spill, for lines the worker did not parse in time (it fell behind the app, or closed): each as
   * its row, or as the pino line itself (`raw`) when the sanitizer was shown to leave every key and
   * string of it as it is; loading turns a raw line into its row with the function given to parseSpilled.
   */
  spillUnparsed (lines: readonly UnparsedLine[]): boolean
  /** How loading turns a line spilled raw into a COPY line. */
  parseSpilled (toCopyLine: (line: string) => string | undefined): void
  /**
   * Keeps a row the server refused, under the id of its one-row part. With `once`, not when an entry
   * of that id is there already (an earlier process wrote it before dying). False when it was there.
   */
  deadLetter (line: string, err: unknown, batch: string, once: boolean): boolean
  /**
   * The next spilled batch for this target, oldest first. `server` connects (when there is
   * something to check) and tells the server's identity, which spilled batches must match.
   */
  nextReplay (server: () => Promise<string | null>): Promise<ReplayBatch | undefined>
  /** The identity of the server rows are being loaded into, written into what is spilled next. */
  bind (server: string | null): void
  /** Unreadable lines met while replaying. */
  readonly skipped: number
}

export interface Hooks {
  /** Runs before every COPY with the error of the previous attempt, if any (e.g. to create partitions). */
  prepare?: (lastErr: unknown) => Promise<void>
  /** A line whose month has no partition, moved to a time that has one (or returned unchanged). */
  restamp?: (line: string) => string
  /** False when no partition takes rows stamped now (so moving a row to now cannot help). */
  placeable?: () => boolean
  /**
   * Reports state changes, each once: the first failure after success (with its kind), the
   * recovery, and rows that no partition takes (they wait on disk).
   */
  /** `givingUp`: the logger is closing and no retry can succeed, so the rows are spilled at once. */
  report?: (event: 'failing' | 'recovered' | 'no-partition', detail: string, kind?: ErrorKind, givingUp?: boolean) => void
}

const WARN = 40
/** Successful batches after which a batch size halved by statement_timeout is doubled again. */
const GROW_AFTER = 20
const REPLAY_CHECK_MS = 2000

/** One COPY connection and what it is doing. */
interface Lane {
  writer: CopyWriter
  running: Promise<void> | undefined
  /** Bytes of the batch in flight, and whether it has been in flight longer than stuckMs. */
  bytes: number
  stuck: boolean
}

/**
 * Moves encoded lines from memory to PostgreSQL in batches: by rows, bytes or interval, in order,
 * retrying with backoff, isolating rows the server refuses, and spilling what memory cannot hold.
 */
export class Delivery {
  readonly stats: TransportStats = emptyStats()
  readonly #queue = new LineQueue()
  #inflight = 0
  #closing = false
  /** Batches smaller than a full one go now: the flush interval passed or a flush was asked for. */
  #sendPartial = false
  #flushTimer: NodeJS.Timeout | undefined
  #replayTimer: NodeJS.Timeout | undefined
  #failing = false
  #deadline = Infinity
  readonly #abort = new AbortController()
  #waiters: Array<() => void> = []
  /** Bytes of the batches in flight for longer than stuckMs: memory the queue cap must account for. */
  #stuckBytes = 0
  /** Rows per COPY now: batchRows, halved while statement_timeout cancels COPYs of that size. */
  #rowsPerBatch: number
  #fitted = 0
  /** Spill files are not replayed before this time (their rows found no partition). */
  #replayPausedUntil = 0
  #reportedNoPartition = false

  readonly #lanes: Lane[]
  readonly #opts: DeliveryOptions
  readonly #spillStore: SpillStore | undefined
  readonly #hooks: Hooks

  constructor (
    writers: CopyWriter[],
    opts: DeliveryOptions,
    spillStore: SpillStore | undefined,
    hooks: Hooks = {}
  ) {
    this.#opts = opts
    this.#spillStore = spillStore
    this.#hooks = hooks
    this.#lanes = writers.map(writer => ({ writer, running: undefined, bytes: 0, stuck: false }))
    this.#rowsPerBatch = opts.batchRows
  }

  /** Accepts one encoded line; `level` decides what is dropped first when there is no way out. */
  push (line: string, level: number): void {
    if (this.#queue.bytes + this.#stuckBytes + line.length > this.#opts.maxQueueBytes) {
      if (this.#spillStore?.spill([line])) {
        this.stats.spilled++
        return
      }
      // No spill: keep warn and above up to twice the cap, drop the rest, and count it.
      if (level < WARN || this.#queue.bytes + this.#stuckBytes + line.length > 2 * this.#opts.maxQueueBytes) {
        this.#drop(line)
        return
      }
    }
    this.#queue.push(line)
    if (this.#queue.bytes + this.#stuckBytes > this.stats.peakQueueBytes) this.stats.peakQueueBytes = this.#queue.bytes + this.#stuckBytes
    if (this.#queue.length >= this.#rowsPerBatch || this.#queue.bytes >= this.#opts.batchBytes) {
      this.#startLanes()
    } else {
      this.#scheduleFlush()
    }
  }

  /** Looks for spill files left by earlier processes and loads them once the database answers. */
  start (): void {
    if (!this.#spillStore) return
    this.#startLanes()
    // Segments of a crashed process become free only once its lease goes stale: look again now and then.
    this.#replayTimer = setInterval(() => { if (!this.#closing) this.#startLanes() }, REPLAY_CHECK_MS).unref()
  }

  /** Resolves once every line accepted so far is committed, spilled, dead-lettered or dropped. */
  flush (): Promise<void> {
    if (this.#idle()) return Promise.resolve()
    this.#sendPartial = true
    const p = new Promise<void>(resolve => this.#waiters.push(resolve))
    this.#startLanes()
    return p
  }

  /**
   * Flushes, retrying until `deadlineMs` (epoch); whatever is still undelivered then is spilled.
   * A spill file being replayed is left where it is, its progress recorded, for the next process.
   */
  async close (deadlineMs: number): Promise<void> {
    this.#closing = true
    this.#deadline = deadlineMs
    // At the deadline a COPY, COMMIT or connect that has not returned is abandoned: its batch is then
    // spilled (see deliver), alone and with its id when its COMMIT went unanswered.
    const stop = setTimeout(() => {
      this.#abort.abort()
      for (const lane of this.#lanes) lane.writer.abandon()
    }, Math.max(0, deadlineMs - Date.now()))
    try {
      await this.flush()
      await Promise.all(this.#lanes.map(l => l.running))
    } finally {
      clearTimeout(stop)
      clearTimeout(this.#flushTimer)
      clearInterval(this.#replayTimer)
    }
  }

  /** Spills lines not parsed in time; false when there is no spill (the caller then drops or keeps them). */
  spillUnparsed (lines: readonly UnparsedLine[]): boolean {
    if (lines.length === 0) return true
    if (!this.#spillStore?.spillUnparsed(lines)) return false
    this.stats.spilled += lines.length
    return true
  }

  /** Counts a line dropped before it was parsed. */
  countDropped (level: string): void {
    this.stats.dropped[level] = (this.stats.dropped[level] ?? 0) + 1
  }

  snapshot (): TransportStats {
    this.stats.queueDepth = this.#queue.length + this.#inflight
    this.stats.queueBytes = this.#queue.bytes
    this.stats.spillLinesSkipped = this.#spillStore?.skipped ?? 0
    this.stats.heapUsedBytes = process.memoryUsage().heapUsed
    return { ...this.stats, dropped: { ...this.stats.dropped } }
  }

  #idle (): boolean {
    return this.#queue.length === 0 && this.#inflight === 0
  }

  /** Sends a partial batch after flushIntervalMs, unless a timer or a flush is already on it. */
  #scheduleFlush (): void {
    if (this.#flushTimer !== undefined || this.#sendPartial) return
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined
      this.#sendPartial = true
      this.#startLanes()
    }, this.#opts.flushIntervalMs)
  }

  /** Starts every idle lane; each takes batches from the shared queue until none is ready to go. */
  #startLanes (): void {
    for (const lane of this.#lanes) {
      lane.running ??= this.#pump(lane)
        .catch(err => {
          this.stats.lastError = errorText(err)
          this.#hooks.report?.('failing', this.stats.lastError)
        })
        .finally(() => {
          lane.running = undefined
          // Lines that came while this lane was finishing: send them now if partial batches go, else on the timer.
          if (this.#queue.length > 0) {
            if (this.#sendPartial) this.#startLanes()
            else this.#scheduleFlush()
          }
          this.#release()
        })
    }
  }

  async #pump (lane: Lane): Promise<void> {
    for (;;) {
      if (this.#queue.length === 0) {
        if (this.#inflight === 0) this.#sendPartial = false
        this.#release()
        // One lane replays spill files, in order; the others wait for new lines.
        if (lane !== this.#lanes[0] || this.#closing) return
        // Nothing to replay: stop, unless lines arrived while we looked.
        if (!(await this.#replayOne(lane)) && this.#queue.length === 0) return
        continue
      }
      if (!this.#sendPartial && this.#queue.length < this.#rowsPerBatch && this.#queue.bytes < this.#opts.batchBytes) return
      const batch = this.#queue.take(this.#rowsPerBatch, this.#opts.batchBytes)
      this.#inflight += batch.length
      try {
        const root = { lines: batch, id: randomBytes(12).toString('hex') + '/' }
        if (await this.#inFlight(lane, batch, () => this.#deliver(lane, root))) lane.writer.release(root.id)
      } finally {
        this.#inflight -= batch.length
      }
    }
  }

  #release (): void {
    if (!this.#idle() || this.#waiters.length === 0) return
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }

  /** Loads one spilled batch (retrying while the database is away); false when there is none. */
  async #replayOne (lane: Lane): Promise<boolean> {
    if (!this.#spillStore || Date.now() < this.#replayPausedUntil) return false
    const next = await this.#spillStore.nextReplay(() => this.#serverOf(lane)).catch(() => undefined)
    if (!next) return false
    // Not loaded by the deadline: its progress on disk still names this batch, and the next process
    // sends it under the same id (its marker tells whether a COMMIT without an answer took).
    if (await this.#inFlight(lane, next.lines, () => this.#deliver(lane, { lines: next.lines, id: next.id }, next))) {
      next.done()
      lane.writer.release(next.id)
      // Counted from the batch itself: the other lanes commit live rows meanwhile.
      this.stats.replayed += next.lines.length
    }
    return true
  }

  /** Runs a delivery, counting its lines toward the queue cap once it has taken longer than stuckMs. */
  async #inFlight<T> (lane: Lane, lines: string[], run: () => Promise<T>): Promise<T> {
    lane.bytes = 0
    for (const l of lines) lane.bytes += l.length + 1
    const timer = setTimeout(() => {
      lane.stuck = true
      this.#stuckBytes += lane.bytes
    }, this.#opts.stuckMs ?? 5000)
    timer.unref()
    try {
      return await run()
    } finally {
      clearTimeout(timer)
      if (lane.stuck) this.#stuckBytes -= lane.bytes
      lane.stuck = false
      lane.bytes = 0
    }
  }

  /** The identity of the lane's server, connecting (with retries, until closing) to learn it. */
  async #serverOf (lane: Lane): Promise<string | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        await lane.writer.connection()
        return lane.writer.serverId
      } catch (err) {
        if (this.#closing) throw err
        this.#failed(lane, err, 'transient', false)
        await sleep(backoffMs(attempt, this.#opts.retryBaseMs, this.#opts.retryMaxMs), this.#abort.signal)
      }
    }
  }

  /**
   * Delivers lines in order; splits batches the server refuses until the bad rows stand alone.
   * False when the close deadline came first: queued lines are then spilled, replayed ones left on disk.
   */
  async #deliver (lane: Lane, root: Part, replay?: ReplayBatch): Promise<boolean> {
    const pending: Part[] = [root]
    const restamped = new Set<string>()
    let attempt = 0
    let lastErr: unknown
    let partitionsRefreshed = false
    while (pending.length > 0) {
      const part = pending[0]
      if (this.#pastDeadline()) return this.#giveUp(lane, pending, replay)
      try {
        await this.#hooks.prepare?.(lastErr)
        if (await this.#copy(lane, part) === 'split') {
          pending.splice(0, 1, ...halves(part))
          continue
        }
        this.#spillStore?.bind(lane.writer.serverId)
        pending.shift()
        lastErr = undefined
        attempt = 0
        partitionsRefreshed = false
        this.#fit(part.lines.length)
        this.#recovered()
      } catch (err) {
        const kind = classify(err)
        if (kind === 'no-partition') {
          if (!partitionsRefreshed) {
            // prepare() sees this error and makes (or, with maintenance off, reads) the partitions; then the same batch goes again.
            partitionsRefreshed = true
            lastErr = err
            continue
          }
          if (this.#hooks.placeable?.() !== false && this.#hooks.restamp && this.#restampAlone(pending, part, restamped)) continue
          return this.#unplaceable(err, pending, replay)
        }
        if (kind === 'data' || (kind === 'timeout' && part.lines.length > 1)) {
          pending.shift()
          if (kind === 'timeout') this.#shrink(part.lines.length)
          if (part.lines.length === 1) this.#deadLetter(part, err, replay?.resumed === true)
          else pending.unshift(...halves(part))
          continue
        }
        lastErr = err
        // At the close's deadline (a COPY abandoned) or on a refusal no retry can end: spilled now.
        const givingUp = this.#closing && (needsOperator(err, kind) || this.#pastDeadline())
        this.#failed(lane, err, kind, givingUp)
        if (givingUp) return this.#giveUp(lane, pending, replay)
        await sleep(backoffMs(attempt++, this.#opts.retryBaseMs, this.#opts.retryMaxMs), this.#abort.signal)
      }
    }
    return true
  }

  /**
   * No partition takes these rows, not even at the current time (maintenance off, or failing):
   * reported once; live rows are spilled (or dropped and counted), a replayed batch stays on disk,
   * and replay pauses, so nothing loops on the server.
   */
  #unplaceable (err: unknown, pending: Part[], replay: ReplayBatch | undefined): boolean {
    if (!this.#reportedNoPartition) {
      this.#reportedNoPartition = true
      this.#hooks.report?.('no-partition', errorText(err))
    }
    const pause = 6 * this.#opts.retryMaxMs
    this.#replayPausedUntil = Date.now() + pause
    setTimeout(() => this.#startLanes(), pause).unref()
    if (replay) return false
    this.#spillOrDrop(pending.flatMap(p => p.lines))
    return true
  }

  /** statement_timeout cancelled a COPY of `rows` rows: later batches take half as many (at least 1). */
  #shrink (rows: number): void {
    this.#rowsPerBatch = Math.max(1, Math.min(this.#rowsPerBatch, rows >> 1))
    this.#fitted = 0
  }

  /** A batch landed: after GROW_AFTER in a row at a reduced size, try twice as many again. */
  #fit (rows: number): void {
    if (this.#rowsPerBatch >= this.#opts.batchRows || rows < this.#rowsPerBatch) return
    if (++this.#fitted >= GROW_AFTER) {
      this.#rowsPerBatch = Math.min(this.#opts.batchRows, this.#rowsPerBatch * 2)
      this.#fitted = 0
    }
  }

  /** Splits the batch until the row without a partition stands alone, then restamps it at now; false if that cannot help. */
  #restampAlone (pending: Part[], part: Part, restamped: Set<string>): boolean {
    if (part.lines.length > 1) {
      pending.splice(0, 1, ...halves(part))
      return true
    }
    // A row already moved to the current time that still finds no partition cannot be moved further.
    const row = part.lines[0]
    if (restamped.has(row)) return false
    const moved = this.#hooks.restamp!(row)
    if (moved === row) return false
    restamped.add(moved)
    // The same row of the same batch: the same id.
    pending[0] = { lines: [moved], id: part.id }
    return true
  }

  /**
   * One COPY under the part's id. A part sent again after its COMMIT's answer was lost carries the
   * same id, and the writer skips it when its marker shows it landed, so a retry never duplicates it.
   */
  async #copy (lane: Lane, part: Part): Promise<CopyOutcome> {
    let outcome: CopyOutcome
    try {
      outcome = await lane.writer.copy(part.lines, part.id)
    } catch (err) {
      if (err instanceof AmbiguousCommitError) part.doubt = true
      throw err
    }
    if (outcome !== 'split') this.#count(part.lines.length)
    return outcome
  }

  #count (rows: number): void {
    this.stats.committed += rows
    this.stats.batches++
  }

  /**
   * The close ends before these lines can be delivered: queued lines are spilled (replayed ones stay on
   * disk). A part whose COMMIT is in doubt is spilled alone with its id, so the next process looks for
   * its marker before loading it again.
   */
  #giveUp (lane: Lane, pending: Part[], replay: ReplayBatch | undefined): false {
    const part = pending[0]
    if (part?.doubt === true && !replay) this.#spillOrDrop(pending.shift()!.lines, { batch: part.id, server: lane.writer.serverId })
    this.#spillOrDrop((replay ? [] : pending.flatMap(p => p.lines)).concat(this.#queue.take(Infinity, Infinity)))
    return false
  }

  #pastDeadline (): boolean {
    return this.#abort.signal.aborted || Date.now() >= this.#deadline
  }

  #failed (lane: Lane, err: unknown, kind: ErrorKind, givingUp: boolean): void {
    this.stats.retries++
    this.stats.lastError = errorText(err)
    // The server answered (a privilege or schema error): the connection is fine and is kept.
    if (!isServerError(err)) lane.writer.reset()
    if (!this.#failing) {
      this.#failing = true
      this.#hooks.report?.('failing', this.stats.lastError, kind, givingUp)
    }
  }

  #recovered (): void {
    if (!this.#failing) return
    this.#failing = false
    this.#hooks.report?.('recovered', `after ${this.stats.retries} retries`)
  }

  #deadLetter (part: Part, err: unknown, once: boolean): void {
    this.stats.lastError = errorText(err)
    if (this.#spillStore?.deadLetter(part.lines[0], err, part.id, once) !== false) this.stats.deadLettered++
  }

  #spillOrDrop (lines: string[], inDoubt?: InDoubt): void {
    if (lines.length === 0) return
    if (this.#spillStore?.spill(lines, inDoubt)) this.stats.spilled += lines.length
    else for (const l of lines) this.#drop(l)
  }

  #drop (line: string): void {
    this.countDropped(line.split('\t', LEVEL_INDEX + 1)[LEVEL_INDEX] ?? 'unknown')
  }
}

/** The two halves a part is cut into to isolate refused rows; their ids extend the part's by 0 and 1. */
function halves (part: Part): Part[] {
  const h = part.lines.length >> 1
  return [{ lines: part.lines.slice(0, h), id: part.id + '0' }, { lines: part.lines.slice(h), id: part.id + '1' }]
}
