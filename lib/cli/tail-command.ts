import { setTimeout as sleep } from 'node:timers/promises'
import { qualifiedTable } from '../core/identifiers.js'
import { CONNECTION_HELP, CONNECTION_OPTIONS, intOption, parse, targetFrom, withClient } from './args.js'
import { FILTER_HELP, FILTER_OPTIONS, buildFilters } from './log-filters.js'
import { OUTPUT_HELP, lineWriter } from './log-output.js'
import { OUTPUT_OPTIONS } from './query-command.js'
import { follow } from './tail-follow.js'

export const tailHelp = `curator-log tail [filters] [options]

Prints the last --lines matching rows, then follows new rows as they commit, until interrupted
(SIGINT, SIGTERM) or its output is closed (noticed at the next row it prints).

${FILTER_HELP}
  --lines N          rows shown before following (default 10)
  --interval-ms N    how often to look for new rows (default 500)
${OUTPUT_HELP}
${CONNECTION_HELP}`

export async function tailCommand (argv: string[], out: NodeJS.WritableStream, signal?: AbortSignal): Promise<void> {
  const { values } = parse(argv, { ...CONNECTION_OPTIONS, ...FILTER_OPTIONS, ...OUTPUT_OPTIONS, lines: { type: 'string', default: '10' }, 'interval-ms': { type: 'string', default: '500' } })
  if (values.help) {
    out.write(tailHelp + '\n')
    return
  }
  const target = targetFrom(values)
  const lines = intOption('lines', values.lines, 0, 100_000)
  const interval = intOption('interval-ms', values['interval-ms'], 10, 3_600_000)
  const { where, params } = buildFilters(values)
  const write = lineWriter(out, values.json ? false : values.pretty)
  const table = qualifiedTable(target)
  // Listening from before the connection is made: an early Ctrl-C still ends tail cleanly.
  const { stop, dispose } = stopSignal(out, signal)
  await withClient(values.url, { target, need: 'read' }, async client => {
    const cond = where.length ? where.join(' AND ') + ' AND ' : ''
    // Rows already there when tail starts are not news, whatever their id; later commits are, whatever
    // theirs. One snapshot for the last rows and the start of following: no commit falls between.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const first = await client.query(`SELECT * FROM (SELECT * FROM ${table} WHERE ${cond}true ORDER BY id DESC LIMIT ${lines}) last ORDER BY id`, params)
    const follower = await follow(client, table, where, params)
    await client.query('COMMIT')
    for (const row of first.rows) write(row)
    let more = false
    while (!stop.aborted) {
      // The timer's abort listener is removed when it fires: a long tail keeps no listener per poll.
      if (!more) await sleep(interval, undefined, { signal: stop }).catch(() => {})
      if (stop.aborted) break
      const polled = await follower.poll()
      more = polled.more
      for (const row of polled.rows) {
        if (stop.aborted) break
        write(row)
      }
    }
  }).finally(dispose)
}

/** Aborts on the caller's signal, SIGINT, SIGTERM, or when the output goes away (`tail | head`). */
function stopSignal (out: NodeJS.WritableStream, signal: AbortSignal | undefined): { stop: AbortSignal, dispose: () => void } {
  const ac = new AbortController()
  const stop = (): void => ac.abort()
  if (signal?.aborted) stop()
  signal?.addEventListener('abort', stop, { once: true })
  const offInterrupt = signal ? () => {} : onInterrupt(stop)
  // EPIPE and friends: nothing more can be printed, so there is nothing left to do.
  out.on('error', stop)
  out.once('close', stop)
  return {
    stop: ac.signal,
    dispose () {
      signal?.removeEventListener('abort', stop)
      offInterrupt()
      out.off('close', stop)
      // The error listener stays: a write that fails after tail ends must not crash the process.
    }
  }
}

// One pair of process listeners however many tails run in this process (tests run several at once).
const interrupted = new Set<() => void>()
const interrupt = (): void => { for (const f of interrupted) f() }

function onInterrupt (f: () => void): () => void {
  if (interrupted.size === 0) {
    process.on('SIGINT', interrupt)
    process.on('SIGTERM', interrupt)
  }
  interrupted.add(f)
  return () => {
    interrupted.delete(f)
    if (interrupted.size > 0) return
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
  }
}
