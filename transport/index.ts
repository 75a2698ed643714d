import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort } from 'node:worker_threads'
import build from 'pino-abstract-transport'
import type { ClientConfig } from 'pg'
import { ConnectionStringError, connectionConfig } from '../lib/core/connection.js'
import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import { LEVEL_INDEX } from '../lib/core/columns.js'
import { FLUSHED_EVENT, FLUSH_REQUEST, STATS_EVENT, STATS_REQUEST } from '../lib/core/worker-protocol.js'
import { encodeRow } from './copy-text.js'
import { Inbox } from './inbox.js'
import { restampAtNow } from './restamp.js'
import { CopyWriter } from '../lib/database/copy-writer.js'
import { Delivery, type Hooks, type UnparsedLine } from './delivery.js'
import { adviceFor, errorText, isMissingPartition } from '../lib/database/pg-errors.js'
import { LevelNames } from '../lib/core/levels.js'
import { type ResolvedOptions, type TransportOptions, resolveOptions } from '../lib/core/transport-options.js'
import { Partitions } from '../lib/database/partitions.js'
import { type EncodedLine, createLineEncoder } from './line-to-row.js'
import { type ParsedLine, parseLine } from './pino-line.js'
import { isLosslessNumber, numberValue, stringifyExact } from './exact-json.js'
import { createRowMapper } from './record-to-row.js'
import { ConsoleOutput } from './console-output.js'
import { openSpillStore } from './spill.js'
import { configuredTarget, defaultSpillDir } from './spill-target.js'
import { warn, warnDirectly } from './worker-stderr.js'
import { closingSummary } from './close-summary.js'

export { FLUSHED_EVENT, FLUSH_REQUEST, STATS_EVENT, STATS_REQUEST } from '../lib/core/worker-protocol.js'
export type { TransportOptions } from '../lib/core/transport-options.js'
export type { TransportStats } from '../lib/core/transport-stats.js'

const STATS_EVERY_MS = 2000
/** Unparsed lines the worker holds at most (thread-stream's own buffer is 4 MiB): a fixed overhead. */
const INBOX_BYTES = 4 << 20
const WARN = 40
const RAW_LEVEL = /"level":(\d+|"[^"]*")/
/** A failure to reach the server at all, as errorText writes it (the socket's errno first). */
const SOCKET_ERROR = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH) /
// Authentication refused (wrong password, or no pg_hba.conf entry for this user): retried, as a fixed password is picked up, but said once.
const AUTH_ERROR = /^28(P01|000) /

/**
 * Runs a full GC: with --expose-gc as given, else by turning the flag on now (V8 then hands a gc
 * function to contexts created after it). Only a benchmark or a test asks for it.
 */
function collectGarbage (): void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed()
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

/** The level of a pino line not parsed yet (info when it cannot be read), to decide what is dropped first. */
function rawLevel (line: string, levels: LevelNames): number {
  const m = RAW_LEVEL.exec(line)
  if (!m) return 30
  return m[1].startsWith('"') ? levels.value(levels.name(m[1].slice(1, -1))) ?? 30 : Number(m[1])
}

/**
 * The pino transport: parses each line, sanitizes and maps it to a row, and loads rows with COPY in
 * batches. It connects lazily and never fails at start-up because of the database.
 */
export default async function curatorLogTransport (options: TransportOptions = {}) {
  const o = resolveOptions(options)
  // A worker cannot throw into the app (an 'error' on its stream would end the process): a bad
  // sanitizer option is reported once and left out, the rest of the rules apply. createLogger checks
  // the same options on the app thread and throws there.
  const sanitizer = new Sanitizer(o.sanitize, msg => warn(msg))
  const levels = new LevelNames(o.levels)
  const pretty = o.console && o.console.pretty === true ? (await import('pino-pretty')).prettyFactory : undefined
  const printer = o.console ? new ConsoleOutput(o.console, sanitizer, levels, o.levels, o.messageKey, o.errorKey, pretty) : undefined
  const storeFrom = levelFloor(levels, o.databaseLevel)
  const connection = usableConnection(o)
  // With a connection string pg cannot read, nothing can ever be stored: lines are dropped and counted.
  const storing = connection !== undefined
  const writers = storing ? Array.from({ length: o.copyConnections }, () => new CopyWriter(connection, o.target)) : []
  const spillTarget = storing ? configuredTarget(connection, o.target) : undefined
  const spillStore = o.spillDir === false || spillTarget === undefined ? undefined : openSpillStore(o.spillDir ?? defaultSpillDir(o.appName, spillTarget), { batchRows: o.batchRows, batchBytes: o.batchBytes, segmentBytes: o.spillSegmentBytes }, warn, spillTarget)
  const partitions = new Partitions(connection ?? {}, o.target, {
    enabled: o.maintenance, intervalMs: o.maintenanceIntervalMs, monthsAhead: o.monthsAhead, retentionDays: o.retentionDays, detach: o.detachExpired
  }, warn, o.now)
  const mapping = {
    sanitizer,
    levels,
    messageKey: o.messageKey,
    errorKey: o.errorKey,
    timeKey: o.timeKey,
    timeScale: o.timeUnit === 's' ? 1000 : 1,
    nestedKey: o.nestedKey,
    maxMessageLength: o.maxMessageLength,
    window: () => partitions.window()
  }
  const mapRecord = createRowMapper(mapping)
  const encodeLine = createLineEncoder(mapping)

  const hooks: Hooks = {
    // Maintenance runs beside delivery; a batch waits for it only when its month has no partition.
    async prepare (lastErr) {
      if (isMissingPartition(lastErr)) await partitions.refresh()
    },
    restamp (line) {
      return restampAtNow(line, o.now())
    },
    placeable () {
      return partitions.covers(o.now())
    },
    report (event, detail, kind, givingUp) {
      const table = `${o.target.schema}.${o.target.table}`
      const spillingOff = spillStore === undefined ? ' (spilling is off or its directory unusable: dropped and counted)' : ''
      const text = event === 'failing'
        ? `curator-log: cannot write to PostgreSQL (${detail})${adviceFor(kind ?? 'transient', o.target)}${SOCKET_ERROR.test(detail) ? ' — check the connection string (connectionString or DATABASE_URL) and that PostgreSQL runs there' : ''}${AUTH_ERROR.test(detail) ? ' — check the user and password in the connection string' : ''}${givingUp === true ? `; the logger is closing: ${spillStore === undefined ? 'with no spill directory the rows are dropped and counted' : 'the rows are spilled now'}` : '; retrying, rows are kept in memory then spilled'}`
        : event === 'no-partition'
          ? `curator-log: no partition of ${table} takes the current month (${detail}); rows are spilled${spillingOff} and loaded once a partition exists — run \`curator-log maintain\` or turn maintenance on`
          : `curator-log: writing to PostgreSQL again ${detail}`
      warn(text)
    }
  }
  // Without a database the worker only prints; nothing connects.
  const delivery = o.database ? new Delivery(writers, o, spillStore, hooks) : undefined

  // Most lines are plain and clean: read as text, without building the record. Prints the line when
  // asked; undefined for a line below the database level.
  // Whatever a line holds, mapping it must not throw: that would end the worker, and with it every
  // line after this one (and the app, which gets an 'error' from the stream). A line no mapper
  // expected lands as text with the mapper's complaint, as an unparseable one does.
  let unmappable = 0
  // Whether the line being handled has been printed: a line that fails after it must not print twice.
  let printed = false
  const handle = (line: string, print: boolean): EncodedLine | undefined => {
    printed = false
    try {
      return handleLine(line, print)
    } catch (err) {
      const level = rawLevel(line, levels)
      if (unmappable++ === 0) warn(`curator-log: a line could not be mapped to a row (${errorText(err)}); it is stored as text, with the error, in context.parse_error`)
      try {
        return handleFull(JSON.stringify({ level, msg: keyRulesApplied(line), unparsed: true, parse_error: `not mapped: ${errorText(err)}` }), print && !printed)
      } catch {
        delivery?.countDropped(levels.name(level))
        return undefined
      }
    }
  }
  // The text a line that failed to map is stored as. A JSON line is sanitized as a record first, so
  // the key rules still apply to it (text rules alone would leave `"user_passwords":{"old":"…"}` in
  // clear); one the sanitizer fails on too is not stored as it came.
  const keyRulesApplied = (line: string): string => {
    let parsed: ParsedLine
    try {
      parsed = parseLine(line, o.timeKey)
    } catch {
      return line
    }
    try {
      const { record, owned } = parsed
      const clean = sanitizer.sanitizeParsedValue(record)
      return stringifyExact(owned === undefined || clean === null || typeof clean !== 'object' ? clean : { level: owned.level, time: owned.time, ...clean })
    } catch {
      return `[line of ${line.length} characters not stored: it could not be sanitized]`
    }
  }
  const handleLine = (line: string, print: boolean): EncodedLine | undefined => {
    const fast = encodeLine(line, o.now())
    if (fast !== undefined) {
      if (print) {
        printer?.printClean(line, fast.level)
        printed = true
      }
      return fast.level >= storeFrom ? fast : undefined
    }
    return handleFull(line, print)
  }
  // The full path: parse, sanitize and map the record.
  const handleFull = (line: string, print: boolean): EncodedLine | undefined => {
    let parsed: ParsedLine
    try {
      parsed = parseLine(line, o.timeKey)
    } catch (err) {
      parsed = { record: { msg: line, unparsed: true, parse_error: errorText(err) } }
    }
    let { record, owned } = parsed
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      record = { msg: line, unparsed: true }
      owned = undefined
    }
    const rec = record as Record<string, unknown>
    if (printer !== undefined || storeFrom !== -Infinity) {
      const level = levelOf(levels, owned !== undefined ? owned.level : rec.level)
      if (print) {
        printer?.printRecord(rec, level, owned)
        printed = true
      }
      if (level < storeFrom) return undefined
    }
    const row = mapRecord(rec, o.now(), owned)
    return { copyLine: encodeRow(row), level: levels.value(row[LEVEL_INDEX] as string) ?? 30 }
  }
  const inbox = new Inbox(line => {
    const r = handle(line, true)
    if (r === undefined) return
    if (storing) delivery?.push(r.copyLine, r.level)
    else delivery?.countDropped(levels.name(r.level))
  }, INBOX_BYTES, line => {
    // Console only: nothing to spill to, the line waits as before.
    if (delivery === undefined) return inbox.enqueue(line)
    // Parsing is behind the app: the line goes to disk (not printed), sanitized. With no spill it waits
    // while the inbox holds less than maxQueueBytes (a burst at shutdown must not lose lines a bigger
    // budget would keep), warn and above up to twice that, and the rest are dropped and counted.
    // A line below the database level has the console as its only output: it waits like the others
    // (or is dropped and counted), never spilled, never dropped unseen.
    const level = rawLevel(line, levels)
    if (level < storeFrom && printer === undefined) return
    if (level >= storeFrom && delivery.spillUnparsed(unparsed([line]))) return
    const room = Math.max(INBOX_BYTES, o.maxQueueBytes)
    if (inbox.bytes < (level >= WARN ? 2 * room : room)) inbox.enqueue(line)
    else delivery.countDropped(levels.name(level))
  })
  spillStore?.parseSpilled(line => handle(line, false)?.copyLine)

  // What may go to disk of lines not parsed in time: nothing the sanitizer would redact. A line the
  // fast path maps holds no key or string the sanitizer changes, so it is written as it came (cheap,
  // parsed when loaded, landing as it would have live); any other line is parsed and sanitized now
  // and written as its row. Lines below the database level are left out.
  const unparsed = (lines: readonly string[]): UnparsedLine[] => {
    const out: UnparsedLine[] = []
    for (const line of lines) {
      const fast = encodeLine(line, o.now())
      const row = fast ?? handle(line, false)
      if (row === undefined || row.level < storeFrom) continue
      out.push(fast !== undefined ? { raw: line } : { row: row.copyLine })
    }
    return out
  }

  const post = (name: string, id: unknown): void => {
    parentPort?.postMessage({ code: 'EVENT', name, args: [id, delivery?.snapshot()] })
  }
  const onMessage = (msg: { code?: unknown, id?: unknown, gc?: unknown }): void => {
    if (msg?.code === STATS_REQUEST) {
      // A benchmark or test asks for the live heap, not garbage.
      if (msg.gc === true) collectGarbage()
      post(STATS_EVENT, msg.id)
    } else if (msg?.code === FLUSH_REQUEST) flush().then(() => post(FLUSHED_EVENT, msg.id))
  }
  parentPort?.on('message', onMessage)
  const statsTimer = setInterval(() => post(STATS_EVENT, null), STATS_EVERY_MS).unref()
  delivery?.start()
  if (storing) partitions.start()

  // A line already handed to the stream may still be in its buffer or the inbox: let it through first.
  const flush = async (): Promise<void> => {
    await new Promise(resolve => setImmediate(resolve))
    await inbox.drained()
    await Promise.all([delivery?.flush(), printer?.flush()])
  }

  const stream = build(source => {
    source.on('data', (line: string) => inbox.push(line))
  }, {
    parse: 'lines',
    // Parsing happens in the inbox, in slices; the splitter only cuts lines.
    parseLine: (line: string) => line,
    metadata: false,
    async close () {
      // The deadline runs from here: lines still waiting to be parsed are inside it too.
      const deadline = Date.now() + o.closeTimeoutMs
      warnDirectly()
      // Lines still unparsed at the deadline are spilled, sanitized (or dropped by level and counted).
      const late = await inbox.drainedBy(deadline)
      if (delivery && !delivery.spillUnparsed(unparsed(late))) for (const l of late) delivery.countDropped(levels.name(rawLevel(l, levels)))
      parentPort?.off('message', onMessage)
      clearInterval(statsTimer)
      try {
        await delivery?.close(deadline)
      } finally {
        await Promise.all([...writers.map(w => w.end()), spillStore?.close(), partitions.stop(deadline), printer?.close()])
        if (delivery) closingSummary(delivery.stats, spillStore, `${o.target.schema}.${o.target.table}`)
      }
    }
  })
  return Object.assign(stream, {
    /** Resolves once every line received so far is committed, spilled or dead-lettered. */
    flush,
    stats: () => delivery?.snapshot()
  })
}

/**
 * The pg settings of the transport, or undefined (reported once) when the connection string cannot be
 * read: the worker cannot throw into the app (an 'error' on its stream would end the process).
 */
function usableConnection (o: ResolvedOptions): ClientConfig | undefined {
  if (!o.database) return undefined
  try {
    // A blackholed server must not hold a connect attempt (or the close) past thread-stream's budget.
    return { ...connectionConfig(o.connectionString, o.appName), connectionTimeoutMillis: 5000 }
  } catch (err) {
    const why = err instanceof ConnectionStringError ? err.message : `curator-log: the connection settings cannot be used (${(err as Error).name})`
    warn(`${why}; nothing is stored: every line is dropped and counted in the transport's stats (dropped, by level)`)
    return undefined
  }
}

/** A level option as a number: -Infinity (everything) when unset. */
function levelFloor (levels: LevelNames, level: string | number | undefined): number {
  if (level === undefined) return -Infinity
  return levels.floor('databaseLevel', level)
}

/** A parsed line's level as a number (a label known to the transport, else info). */
function levelOf (levels: LevelNames, level: unknown): number {
  // A number written the long way (40.0, 6e1) counts as its value, as pino would have written it.
  if (typeof level === 'number' || isLosslessNumber(level)) return numberValue(level)
  return levels.value(levels.name(level)) ?? 30
}
