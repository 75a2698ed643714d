import { parentPort } from 'node:worker_threads'
import build from 'pino-abstract-transport'
import { connectionConfig } from '../lib/connection.js'
import { Sanitizer } from '../lib/sanitizer/sanitizer.js'
import { LEVEL_INDEX } from './columns.js'
import { FLUSHED_EVENT, FLUSH_REQUEST, STATS_EVENT, STATS_REQUEST } from './messages.js'
import { encodeRow } from './copy-text.js'
import { Inbox } from './inbox.js'
import { rehomeLine } from './rehome.js'
import { CopyWriter } from './copy-writer.js'
import { Delivery, type Hooks } from './delivery.js'
import { errorText, isMissingPartition } from './errors.js'
import { LevelNames } from './levels.js'
import { type TransportOptions, resolveOptions } from './options.js'
import { Partitions } from './partitions.js'
import { createLineEncoder } from './line-to-row.js'
import { type OwnedFields, type ParsedLine, parseLine } from './pino-line.js'
import { createRowMapper } from './record-to-row.js'
import { ConsoleOutput } from './console-output.js'
import { openOverflow } from './spill.js'
import { configuredTarget, defaultSpillDir } from './spill-target.js'

export { FLUSHED_EVENT, FLUSH_REQUEST, STATS_EVENT, STATS_REQUEST } from './messages.js'
export type { TransportOptions } from './options.js'
export type { TransportStats } from './stats.js'

const STATS_EVERY_MS = 2000

function warn (msg: string): void {
  process.stderr.write(JSON.stringify({ level: 40, time: Date.now(), name: 'curator-log', msg }) + '\n')
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
  // A blackholed server must not hold a connect attempt (or the close) past thread-stream's budget.
  const connection = { ...connectionConfig(o.connectionString, o.appName), connectionTimeoutMillis: 5000 }
  const writers = Array.from({ length: o.database ? o.copyConnections : 0 }, () => new CopyWriter(connection, o.target))
  const spillTarget = configuredTarget(connection, o.target)
  const overflow = o.spillDir === false || !o.database ? undefined : openOverflow(o.spillDir ?? defaultSpillDir(o.appName, spillTarget), o.batchRows, warn, spillTarget)
  const partitions = new Partitions(connection, o.target, {
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
    rehome (line) {
      return rehomeLine(line, o.now())
    },
    report (event, detail) {
      const text = event === 'failing'
        ? `curator-log: cannot write to PostgreSQL (${detail}); retrying, rows are kept in memory then spilled`
        : `curator-log: writing to PostgreSQL again ${detail}`
      warn(text)
    }
  }
  // Without a database the worker only prints; nothing connects.
  const delivery = o.database ? new Delivery(writers, o, overflow, hooks) : undefined

  const accept = (record: Record<string, unknown>, owned?: OwnedFields): void => {
    if (printer !== undefined || storeFrom !== -Infinity) {
      const level = levelOf(levels, owned !== undefined ? owned.level : record.level)
      printer?.printRecord(record, level)
      if (level < storeFrom) return
    }
    if (delivery === undefined) return
    const row = mapRecord(record, o.now(), owned)
    delivery.push(encodeRow(row), levels.value(row[LEVEL_INDEX] as string) ?? 30)
  }
  const inbox = new Inbox(line => {
    // Most lines are plain and clean: read as text, without building the record.
    const fast = encodeLine(line, o.now())
    if (fast !== undefined) {
      printer?.printClean(line, fast.level)
      if (delivery !== undefined && fast.level >= storeFrom) delivery.push(fast.row, fast.level)
      return
    }
    let parsed: ParsedLine
    try {
      parsed = parseLine(line)
    } catch (err) {
      return accept({ msg: line, unparsed: true, parse_error: errorText(err) })
    }
    const { record, owned } = parsed
    if (record !== null && typeof record === 'object' && !Array.isArray(record)) accept(record as Record<string, unknown>, owned)
    else accept({ msg: line, unparsed: true })
  })

  const post = (name: string, id: unknown): void => {
    parentPort?.postMessage({ code: 'EVENT', name, args: [id, delivery?.snapshot()] })
  }
  const onMessage = (msg: { code?: unknown, id?: unknown, gc?: unknown }): void => {
    if (msg?.code === STATS_REQUEST) {
      // A benchmark that started the worker with --expose-gc asks for the live heap, not garbage.
      if (msg.gc === true) (globalThis as { gc?: () => void }).gc?.()
      post(STATS_EVENT, msg.id)
    } else if (msg?.code === FLUSH_REQUEST) flush().then(() => post(FLUSHED_EVENT, msg.id))
  }
  parentPort?.on('message', onMessage)
  const statsTimer = setInterval(() => post(STATS_EVENT, null), STATS_EVERY_MS).unref()
  delivery?.start()
  if (o.database) partitions.start()

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
      await inbox.drained()
      parentPort?.off('message', onMessage)
      clearInterval(statsTimer)
      try {
        await delivery?.close(Date.now() + o.closeTimeoutMs)
      } finally {
        printer?.close()
        await Promise.all([...writers.map(w => w.end()), overflow?.close(), partitions.stop()])
      }
    }
  })
  return Object.assign(stream, {
    /** Resolves once every line received so far is committed, spilled or dead-lettered. */
    flush,
    stats: () => delivery?.snapshot()
  })
}

/** A level option as a number: -Infinity (everything) when unset. */
function levelFloor (levels: LevelNames, level: string | number | undefined): number {
  if (level === undefined) return -Infinity
  const n = typeof level === 'number' ? level : levels.value(level)
  if (n === undefined) throw new TypeError(`curator-log: databaseLevel ${JSON.stringify(level)} is not a level`)
  return n
}

/** A parsed line's level as a number (a label known to the transport, else info). */
function levelOf (levels: LevelNames, level: unknown): number {
  return typeof level === 'number' ? level : levels.value(levels.name(level)) ?? 30
}
